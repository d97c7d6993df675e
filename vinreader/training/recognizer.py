"""Recipe: a CTC line recognizer over the VIN alphabet, trained on docTR recognition datasets.

Crops are turned grey and stretched to ``height x width`` (32 x 256 by default) exactly as the
inference side does (``vinreader.models.recognizer.CTCRecognizer`` with the exported model card), so
what is trained is what runs. Several training folders can be mixed with weights.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch import nn

from vinreader.data.doctr import DatasetError, load_text_labels
from vinreader.evaluation.metrics import recognition_metrics
from vinreader.models.recognizer import prepare_crop
from vinreader.nets.registry import build_net
from vinreader.training.mixing import check_train_paths, sample_indices
from vinreader.training.onnx_init import initialise
from vinreader.vin import VIN_ALPHABET

# albumentations looks for a newer release on PyPI when imported; training never goes online.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
import albumentations as A  # noqa: E402

MEAN, STD = 0.5, 0.5
# Heights (px) a shrunk crop is given (``RecognizerConfig.shrink``): where most real VIN crops cut from
# `vin-detection-real/train` lie (5th-95th percentile 13-50 px, median 27); synthetic crops are
# rendered at 27-76 px (median 49).
SHRINK_HEIGHTS = (14, 40)
# Largest tilt (degrees) of a tilted crop (``RecognizerConfig.tilt``). A photo's VIN box is an upright
# rectangle around a line that is often not level: of the crops cut from `vin-detection-real/train`,
# 11% lean 5 degrees or more (a projection-profile estimate; p90 5 degrees), of the synthetic ones 0.2%.
TILT_DEGREES = 8.0


@dataclass(frozen=True)
class RecognizerConfig:
    """Everything a recognizer run depends on (written to the run's config.json)."""

    train_paths: tuple[tuple[str, float], ...]
    val_path: str
    arch: str = "crnn_vin"
    height: int = 32
    width: int = 256
    epochs: int = 30
    batch_size: int = 64
    lr: float = 2e-3
    samples_per_epoch: int | None = None
    augment: bool = True
    seed: int = 0
    init: str | None = None
    ema: float = 0.0  # decay of the weights' moving average (0: none); see training.loop.fit
    invert: float = 0.05  # probability of inverting a training crop (light text on dark)
    shrink: float = 0.0  # probability of shrinking a crop taller than SHRINK_HEIGHTS to a photo's size
    tilt: float = 0.0  # probability of tilting a crop by up to TILT_DEGREES inside a grown upright box
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_train_paths(self.train_paths)
        if self.height % 16 or self.width % 4:
            raise ValueError(f"input {self.height}x{self.width}: height must be a multiple of 16, width of 4")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch size must be >= 1 and lr > 0")
        if not 0 <= self.ema < 1:
            raise ValueError(f"--ema {self.ema}: must be in [0, 1)")
        for name in ("invert", "shrink", "tilt"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"--{name} {getattr(self, name)}: a probability, must be in [0, 1]")


def to_input(crop: np.ndarray, height: int, width: int) -> np.ndarray:
    """A crop -> (1, height, width) float32: the exported model card's preprocessing."""
    return prepare_crop(crop, height, width, channels=1, mean=MEAN, std=STD)


def encode(text: str, where: str) -> list[int]:
    """Label -> class indices (blank is 0); a character outside the VIN alphabet is a dataset error."""
    bad = sorted({c for c in text if c not in VIN_ALPHABET})
    if bad or not text:
        raise DatasetError(f"{where}: label {text!r} has characters outside the VIN alphabet: {bad}")
    return [VIN_ALPHABET.index(c) + 1 for c in text]


def load_crops(root: str | Path) -> tuple[list[np.ndarray], list[str], list[str]]:
    """All crops of a recognition dataset as grey arrays, with their labels and file names."""
    root = Path(root)
    labels = load_text_labels(root)
    images, texts, names = [], [], []
    for name in sorted(labels):
        image = cv2.imread(str(root / "images" / name), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise DatasetError(f"{root / 'images' / name}: cannot be read as an image")
        encode(labels[name], f"{root / 'labels.json'}: {name}")
        images.append(image)
        texts.append(labels[name])
        names.append(name)
    return images, texts, names


def shrink_crop(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A crop taller than a phone photo's VIN -> the same crop at a random photo height (SHRINK_HEIGHTS)."""
    low, high = SHRINK_HEIGHTS
    if crop.shape[0] <= low:
        return crop
    height = int(rng.uniform(low, min(high, crop.shape[0])))
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)


def augmenter(seed: int, invert: float = 0.05, tilt: float = 0.0) -> A.Compose:
    """Photo effects on the crop before resizing; none moves a character out of the crop.

    ``tilt``: probability of first turning the crop by up to :data:`TILT_DEGREES`, the upright box grown
    to hold all of it (as a tilted line is cut from a photo); 0 leaves the transform out, so runs made
    before it existed draw the same random numbers.
    """
    tilted = [A.Affine(rotate=(-TILT_DEGREES, TILT_DEGREES), fit_output=True, border_mode=cv2.BORDER_REPLICATE, p=tilt)]
    return A.Compose(
        [
            *(tilted if tilt > 0 else []),
            A.Affine(
                rotate=(-3, 3), shear=(-6, 6), scale=(0.92, 1.04),
                translate_percent={"x": (-0.02, 0.02), "y": (-0.06, 0.06)},
                border_mode=cv2.BORDER_REPLICATE, p=0.7,
            ),
            A.Perspective(scale=(0.01, 0.04), p=0.3),
            A.OneOf([A.GaussianBlur(blur_limit=(3, 5)), A.MotionBlur(blur_limit=(3, 7))], p=0.3),
            A.RandomBrightnessContrast(brightness_limit=0.3, contrast_limit=0.4, p=0.7),
            A.RandomGamma(gamma_limit=(60, 160), p=0.3),
            A.GaussNoise(std_range=(0.02, 0.12), p=0.3),
            A.Downscale(scale_range=(0.35, 0.9), p=0.3),
            A.ImageCompression(quality_range=(25, 95), p=0.4),
            A.InvertImg(p=invert),
        ],
        seed=seed,
    )  # fmt: skip


class RecognizerRecipe:
    """Model, data and metrics of a recognizer run (see ``vinreader.training.loop.fit``)."""

    monitor = "val_exact"

    def __init__(self, config: RecognizerConfig, log: Any = print) -> None:
        self.config = config
        torch.manual_seed(config.seed)
        self.rng = np.random.default_rng(config.seed)
        net_kwargs = {"num_classes": len(VIN_ALPHABET) + 1, "in_channels": 1, "height": config.height}
        self.model = build_net(config.arch, **net_kwargs)
        self.meta = {
            "task": "recognition",
            "arch": config.arch,
            "net_kwargs": net_kwargs,
            "alphabet": VIN_ALPHABET,
            "blank_index": 0,
            "input": {"height": config.height, "width": config.width, "channels": 1, "color": "grey"},
            "normalization": {"mean": [MEAN], "std": [STD]},
        }
        self.train_sets = [(load_crops(path), weight) for path, weight in config.train_paths]
        for (path, _), ((images, _, _), _) in zip(config.train_paths, self.train_sets, strict=True):
            log(f"train: {path}: {len(images)} crops")
        self.val_images, self.val_texts, _ = load_crops(config.val_path)
        log(f"val: {config.val_path}: {len(self.val_images)} crops")
        total = sum(len(images) for (images, _, _), _ in self.train_sets)
        self.samples_per_epoch = config.samples_per_epoch or total
        self.steps_per_epoch = max(1, self.samples_per_epoch // config.batch_size)
        self.augment = augmenter(config.seed, config.invert, config.tilt) if config.augment else None
        self.ctc = nn.CTCLoss(blank=0, zero_infinity=True)
        if config.init:
            initialise(self.model, config.init, self._calibration_inputs, log)

    def _calibration_inputs(self, n: int = 64) -> torch.Tensor:
        """Training crops, unaugmented, as the network sees them (for an ONNX start)."""
        images = self.train_sets[0][0][0][:n]
        return torch.from_numpy(np.stack([to_input(c, self.config.height, self.config.width) for c in images]))

    def _sample_indices(self) -> list[tuple[int, int]]:
        sizes = [len(s[0]) for s, _ in self.train_sets]
        return sample_indices(self.rng, sizes, [w for _, w in self.train_sets], self.samples_per_epoch)

    def train_batches(self, epoch: int):
        indices = self._sample_indices()
        size = self.config.batch_size
        for start in range(0, self.steps_per_epoch * size, size):
            batch = indices[start : start + size]
            images, targets, lengths = [], [], []
            for d, i in batch:
                crop = self.train_sets[d][0][0][i]
                if self.augment is not None:
                    if self.config.shrink and self.rng.random() < self.config.shrink:
                        crop = shrink_crop(crop, self.rng)
                    crop = self.augment(image=crop)["image"]
                images.append(to_input(crop, self.config.height, self.config.width))
                label = encode(self.train_sets[d][0][1][i], "train")
                targets += label
                lengths.append(len(label))
            yield torch.from_numpy(np.stack(images)), torch.tensor(targets), torch.tensor(lengths)

    def loss(self, batch) -> torch.Tensor:
        images, targets, lengths = batch
        log_probs = self.model(images).log_softmax(-1).permute(1, 0, 2)  # (T, N, C) for CTCLoss
        steps = torch.full((images.shape[0],), log_probs.shape[0], dtype=torch.long)
        return self.ctc(log_probs, targets, steps, lengths)

    def predict(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """(T, 35) probabilities over [blank, VIN alphabet, other] per crop, like the ONNX recognizer."""
        outputs = []
        for start in range(0, len(crops), 128):
            x = torch.from_numpy(
                np.stack([to_input(c, self.config.height, self.config.width) for c in crops[start : start + 128]])
            )
            probs = self.model(x).softmax(-1).numpy()
            outputs += [np.concatenate([p, np.zeros((p.shape[0], 1), p.dtype)], axis=1) for p in probs]
        return outputs

    def validate(self) -> dict[str, float]:
        return recognition_metrics(self.predict(self.val_images), self.val_texts)


def config_dict(config: RecognizerConfig) -> dict[str, Any]:
    return {"task": "recognizer", **asdict(config)}
