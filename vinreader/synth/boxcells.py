"""Single characters as written or typed into a box: the training data of the charbox classifier.

A character starts as an *ink* image (float32 in [0, 1], 1 = ink): a real handwritten digit (MNIST,
EMNIST) or a glyph rendered from a print or handwriting font (`font_glyph`). `distort` varies it the
way hands and printers do (slant, stroke width, elastic wobble, rotation, `albumentations`), and
`boxed_cell` puts it into a box as a scanner or phone sees it: a border (whole, partial, thick, thin,
or none), neighbouring box lines, paper and ink tones, blur, noise, either polarity.

Example:
    >>> import numpy as np
    >>> from vinreader.synth.fonts import available_fonts
    >>> rng = np.random.default_rng(0)
    >>> ink = font_glyph("K", available_fonts("sans")[0], rng)
    >>> boxed_cell(distort(ink, rng), rng).dtype
    dtype('uint8')
"""

from __future__ import annotations

import os
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vinreader.synth.fonts import FontSpec, load

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # never look for a newer release online
import albumentations as A  # noqa: E402


def font_glyph(char: str, spec: FontSpec, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
    """``char`` drawn with ``spec`` at a random em size (default 36-64 px): tight float32 ink mask."""
    size = int(size or rng.integers(36, 65))
    font = load(spec, size)
    x0, y0, x1, y1 = font.getbbox(char)
    canvas = Image.new("L", (x1 - x0 + 8, y1 - y0 + 8), 0)
    ImageDraw.Draw(canvas).text((4 - x0, 4 - y0), char, font=font, fill=255)
    return np.asarray(canvas, np.float32) / 255.0


@lru_cache(maxsize=4)
def _hand(strength: float) -> A.Compose:
    """Slant, rotation, stroke width and elastic wobble, as `albumentations` transforms on a white-on-black ink."""
    return A.Compose(
        [
            A.Affine(
                shear={"x": (-18 * strength, 18 * strength), "y": (-3 * strength, 3 * strength)},
                rotate=(-7 * strength, 7 * strength), scale={"x": (0.85, 1.1), "y": (0.9, 1.05)},
                fit_output=True, border_mode=cv2.BORDER_CONSTANT, fill=0, p=0.9,
            ),
            A.OneOf(  # stroke width: a felt pen or a fine pencil
                [
                    A.Morphological(scale=(2, 4), operation="dilation"),
                    A.Morphological(scale=(2, 2), operation="erosion"),
                ],
                p=0.5 * min(1.0, strength),
            ),
            A.ElasticTransform(alpha=40 * strength, sigma=6, p=0.7),
        ]
    )  # fmt: skip


def distort(ink: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Slant, rotation, stroke width and elastic wobble of one character (``strength`` 0 = none).

    The character is first scaled to about 48 px high so that the transforms mean the same at any size.
    """
    if strength <= 0:
        return ink
    scale = 48 / max(ink.shape[0], 1)
    size = (max(2, round(ink.shape[1] * scale)), max(2, round(ink.shape[0] * scale)))
    image = np.clip(cv2.resize(ink, size) * 255 + 0.5, 0, 255).astype(np.uint8)
    image = cv2.copyMakeBorder(image, 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=0)
    pipeline = _hand(float(strength))
    pipeline.set_random_seed(int(rng.integers(2**31)))
    out = pipeline(image=image)["image"]
    if out.max() < 128:  # eroded away: keep the original weight
        out = image
    return out.astype(np.float32) / 255.0


def _frame(cell: np.ndarray, rng: np.random.Generator, thickness: int, inset: int) -> None:
    """Draw the box's border (all sides, or some) and, sometimes, the next boxes' walls beyond it."""
    h, w = cell.shape
    sides = rng.random(4) < (0.95 if rng.random() < 0.8 else 0.5)
    x0, y0, x1, y1 = inset, inset, w - 1 - inset, h - 1 - inset
    if sides[0]:
        cell[max(0, y0 - thickness + 1) : y0 + 1, :] = 1
    if sides[1]:
        cell[y1 : y1 + thickness, :] = 1
    if sides[2]:
        cell[:, max(0, x0 - thickness + 1) : x0 + 1] = 1
    if sides[3]:
        cell[:, x1 : x1 + thickness] = 1


def boxed_cell(
    ink: np.ndarray, rng: np.random.Generator, *, box_fill: tuple[float, float] = (0.45, 0.85)
) -> np.ndarray:
    """The character ``ink`` inside a box, as a grey uint8 image of a cut-out cell.

    Args:
        ink: float32 ink mask of the character (any size; tight or with margin).
        rng: source of all randomness.
        box_fill: the character's height as a fraction of the box side, drawn uniformly.
    """
    ys, xs = np.nonzero(ink > 0.1)
    if ys.size:
        ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    side = int(rng.integers(28, 72))
    height = max(4, int(side * rng.uniform(*box_fill)))
    width = max(2, min(int(ink.shape[1] * height / max(ink.shape[0], 1)), int(side * 0.9)))
    glyph = cv2.resize(ink, (width, height), interpolation=cv2.INTER_AREA)
    cell = np.zeros((side, side), np.float32)
    y = int(rng.uniform(0.5, 1.5) * (side - height) / 2)
    x = int(rng.uniform(0.5, 1.5) * (side - width) / 2)
    y, x = min(max(y, 0), side - height), min(max(x, 0), side - width)
    cell[y : y + height, x : x + width] = glyph
    if rng.random() < 0.75:
        thickness = int(rng.integers(1, max(2, side // 14) + 1))
        _frame(cell, rng, thickness, inset=int(rng.integers(0, max(1, side // 10))))
    if rng.random() < 0.3:  # stray marks: dots of dirt, a scanner speck
        for _ in range(int(rng.integers(1, 4))):
            cv2.circle(cell, (int(rng.integers(side)), int(rng.integers(side))), int(rng.integers(0, 2)), 1.0, -1)
    blur = float(rng.uniform(0, 1.0))
    if blur > 0.3:
        cell = cv2.GaussianBlur(cell, (0, 0), blur)
    paper, ink_tone = float(rng.uniform(170, 255)), float(rng.uniform(0, 110))
    image = paper + (ink_tone - paper) * np.clip(cell, 0, 1)
    image += rng.normal(0, rng.uniform(0, 12), image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:  # cut-out boxes often come white-on-black
        image = 255 - image
    return image
