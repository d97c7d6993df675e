"""Recipe: a DBNet-style detector that finds only the VIN line, trained on docTR detection datasets.

Every polygon of a training folder is a VIN (the real photos have one box each, the synthetic scenes
mark only the VIN line), so everything else on the photo, VIN-like strings included, is background.
Images are fitted into ``input_size x input_size`` (aspect kept, padded), augmented with
albumentations carrying the polygons as keypoints, and turned into DBNet targets
(``vinreader.data.det_targets``). Validation runs the network on each image exactly as the ONNX
detector does (``vinreader.models.detector.prepare_image`` + ``DBPostProcessor``) and reports
recall, precision and mean IoU at IoU 0.5 (``vinreader.evaluation.detection``).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from vinreader.data.det_targets import make_targets
from vinreader.data.doctr import DatasetError, load_detection_labels
from vinreader.evaluation.detection import detection_metrics
from vinreader.models.detector import DBPostProcessor, input_shape, prepare_image
from vinreader.nets.registry import build_net
from vinreader.training.mixing import check_train_paths, sample_indices
from vinreader.training.onnx_init import initialise

# albumentations looks for a newer release on PyPI when imported; training never goes online.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
import albumentations as A  # noqa: E402

MEAN, STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
# Post-processing used for validation and written into the checkpoint (tune-unclip refines it).
DEFAULT_POSTPROCESS = {"thresh": 0.3, "box_thresh": 0.5, "unclip_ratio": 1.5}
OHEM_NEGATIVE_RATIO = 3.0
THRESH_LOSS_WEIGHT = 10.0


@dataclass(frozen=True)
class DetectorConfig:
    """Everything a detector run depends on (written to the run's config.json)."""

    train_paths: tuple[tuple[str, float], ...]
    val_path: str
    arch: str = "dbnet_vin"
    input_size: int = 256
    epochs: int = 8
    batch_size: int = 16
    lr: float = 3e-3
    samples_per_epoch: int | None = None
    augment: bool = True
    seed: int = 0
    init: str | None = None
    ema: float = 0.0  # decay of the weights' moving average (0: none); see training.loop.fit
    max_val_images: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_train_paths(self.train_paths)
        if self.input_size % 32 or not 64 <= self.input_size <= 1024:
            raise ValueError(f"--input-size {self.input_size}: must be a multiple of 32 in [64, 1024]")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch size must be >= 1 and lr > 0")
        if not 0 <= self.ema < 1:
            raise ValueError(f"--ema {self.ema}: must be in [0, 1)")


@dataclass(frozen=True)
class DetectionSample:
    image: np.ndarray  # RGB uint8
    polygons: list[np.ndarray]  # (k, 2) float32 pixels


def load_detection_set(
    root: str | Path, max_side: int | None = None, limit: int | None = None
) -> list[DetectionSample]:
    """A docTR detection folder in memory; images larger than ``max_side`` are shrunk (polygons too)."""
    root = Path(root)
    labels = load_detection_labels(root)
    samples = []
    for name in sorted(labels)[:limit]:
        bgr = cv2.imread(str(root / "images" / name), cv2.IMREAD_COLOR)
        if bgr is None:
            raise DatasetError(f"{root / 'images' / name}: cannot be read as an image")
        polygons = [np.asarray(p, np.float32).reshape(-1, 2) for p in labels[name]["polygons"]]
        scale = 1.0
        if max_side and max(bgr.shape[:2]) > max_side:
            scale = max_side / max(bgr.shape[:2])
            bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        samples.append(DetectionSample(bgr[:, :, ::-1].copy(), [p * scale for p in polygons]))
    return samples


def augmenter(size: int, seed: int, augment: bool) -> A.Compose:
    """Fit into size x size (aspect kept, random padding), then geometric and photo effects."""
    fit = [
        A.LongestMaxSize(max_size=size),
        A.PadIfNeeded(size, size, border_mode=cv2.BORDER_CONSTANT, position="random"),
    ]
    effects = [
        A.Affine(
            scale=(0.75, 1.25), rotate=(-10, 10), shear=(-6, 6),
            translate_percent={"x": (-0.12, 0.12), "y": (-0.12, 0.12)},
            border_mode=cv2.BORDER_CONSTANT, p=0.8,
        ),
        A.Perspective(scale=(0.01, 0.05), p=0.2),
        A.RandomBrightnessContrast(brightness_limit=0.3, contrast_limit=0.4, p=0.6),
        A.HueSaturationValue(p=0.3),
        A.ToGray(p=0.1),
        A.OneOf([A.GaussianBlur(blur_limit=(3, 5)), A.MotionBlur(blur_limit=(3, 7))], p=0.25),
        A.GaussNoise(std_range=(0.02, 0.1), p=0.2),
        A.ImageCompression(quality_range=(30, 95), p=0.3),
    ]  # fmt: skip
    return A.Compose(
        fit + (effects if augment else []),
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
        seed=seed,
    )


def loss_fn(outputs: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> torch.Tensor:
    """DBNet loss: BCE with hard-negative mining on P, dice on the binary map, L1 on the threshold map."""
    prob, binary, thresh = outputs["prob"][:, 0], outputs["binary"][:, 0], outputs["thresh"][:, 0]
    gt, mask = targets["prob"], targets["prob_mask"]
    bce = torch.nn.functional.binary_cross_entropy(prob.clamp(1e-6, 1 - 1e-6), gt, reduction="none")
    positive = gt * mask
    negative = (1 - gt) * mask
    n_pos = int(positive.sum())
    n_neg = min(int(negative.sum()), max(int(n_pos * OHEM_NEGATIVE_RATIO), 256))
    hard_negatives = torch.topk((bce * negative).flatten(), n_neg).values
    prob_loss = ((bce * positive).sum() + hard_negatives.sum()) / (n_pos + n_neg + 1e-6)
    intersection = (binary * gt * mask).sum()
    dice = 1 - 2 * intersection / ((binary * mask).sum() + (gt * mask).sum() + 1e-6)
    t_mask = targets["thresh_mask"]
    thresh_loss = (torch.abs(thresh - targets["thresh"]) * t_mask).sum() / (t_mask.sum() + 1e-6)
    return prob_loss + dice + THRESH_LOSS_WEIGHT * thresh_loss


class DetectorRecipe:
    """Model, data and metrics of a detector run (see ``vinreader.training.loop.fit``)."""

    monitor = "val_f1"

    def __init__(self, config: DetectorConfig, log: Any = print) -> None:
        self.config = config
        torch.manual_seed(config.seed)
        self.rng = np.random.default_rng(config.seed)
        self.model = build_net(config.arch)
        self.postprocess = dict(DEFAULT_POSTPROCESS)
        self.meta = {
            "task": "detection",
            "arch": config.arch,
            "net_kwargs": {},
            "input": {"side": config.input_size, "channels": 3, "color": "RGB"},
            "normalization": {"mean": list(MEAN), "std": list(STD)},
            "postprocess": self.postprocess,
        }
        # Keep some room above the input size for zoom-in augmentation.
        keep = int(config.input_size * 1.5)
        self.train_sets = [(load_detection_set(path, keep), weight) for path, weight in config.train_paths]
        for (path, _), (samples, _) in zip(config.train_paths, self.train_sets, strict=True):
            log(f"train: {path}: {len(samples)} images")
        self.val_samples = load_detection_set(config.val_path, limit=config.max_val_images)
        log(f"val: {config.val_path}: {len(self.val_samples)} images")
        total = sum(len(samples) for samples, _ in self.train_sets)
        self.samples_per_epoch = config.samples_per_epoch or total
        self.steps_per_epoch = max(1, self.samples_per_epoch // config.batch_size)
        self.augment = augmenter(config.input_size, config.seed, config.augment)
        if config.init:
            initialise(self.model, config.init, self._calibration_inputs, log)

    def _calibration_inputs(self, n: int = 32) -> torch.Tensor:
        """Real training photos, unaugmented, as the network sees them (for an ONNX start)."""
        samples = self.train_sets[0][0][:n]
        side = self.config.input_size
        return torch.from_numpy(
            np.stack([prepare_image(s.image, input_shape(*s.image.shape[:2], side), MEAN, STD) for s in samples])
        )

    def _sample_indices(self) -> list[tuple[int, int]]:
        sizes = [len(s) for s, _ in self.train_sets]
        return sample_indices(self.rng, sizes, [w for _, w in self.train_sets], self.samples_per_epoch)

    def _example(self, sample: DetectionSample) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        points = np.concatenate(sample.polygons) if sample.polygons else np.zeros((0, 2), np.float32)
        out = self.augment(image=sample.image, keypoints=points)
        moved = np.asarray(out["keypoints"], np.float32).reshape(-1, 2)
        polygons, start = [], 0
        for polygon in sample.polygons:
            polygons.append(moved[start : start + len(polygon)])
            start += len(polygon)
        image = out["image"]
        targets = make_targets(polygons, *image.shape[:2])
        x = prepare_image(image, image.shape[:2], MEAN, STD)
        return x, asdict(targets)

    def train_batches(self, epoch: int):
        indices = self._sample_indices()
        size = self.config.batch_size
        for start in range(0, self.steps_per_epoch * size, size):
            examples = [self._example(self.train_sets[d][0][i]) for d, i in indices[start : start + size]]
            images = torch.from_numpy(np.stack([x for x, _ in examples]))
            targets = {k: torch.from_numpy(np.stack([t[k] for _, t in examples])) for k in examples[0][1]}
            yield images, targets

    def loss(self, batch) -> torch.Tensor:
        images, targets = batch
        return loss_fn(self.model(images), targets)

    def probability_maps(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """Probability maps at input resolution, preprocessed as the ONNX detector does."""
        side = self.config.input_size
        maps = []
        for image in images:
            x = prepare_image(image, input_shape(*image.shape[:2], side), MEAN, STD)
            maps.append(self.model(torch.from_numpy(x)[None])[0, 0].numpy())
        return maps

    def validate(self) -> dict[str, float]:
        post = DBPostProcessor(**self.postprocess)
        pairs = []
        for sample in self.val_samples:
            (prob,) = self.probability_maps([sample.image])
            scale_y, scale_x = sample.image.shape[0] / prob.shape[0], sample.image.shape[1] / prob.shape[1]
            pairs.append(([b.polygon for b in post(prob, scale_x, scale_y)], sample.polygons))
        return {f"val_{k}": v for k, v in detection_metrics(pairs).items()}


def config_dict(config: DetectorConfig) -> dict[str, Any]:
    return {"task": "detector", **asdict(config)}
