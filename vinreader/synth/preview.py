"""Contact sheets of a docTR dataset: look at what a model will learn from before training on it.

Works on a `vinreader.synth.dataset.generate` folder (``DIR/<part>``) or directly on one part folder
(``images/`` + ``labels.json``), so real datasets can be put beside synthetic ones for comparison.

Example:
    >>> contact_sheet(Path("data/synth"), Path("sheet.png"), n=24, part="detection", kind="door_sticker")
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vinreader.data.doctr import load_detection_labels, load_text_labels

TILE = 320  # px, side of a detection/e2e thumbnail
CROP_HEIGHT = 40  # px, height of a recognition crop on the sheet
CROP_WIDTH = 480  # px, widest crop on the sheet
CAPTION = 18  # px under each thumbnail
SHEET_PARTS = ("detection", "recognition", "e2e")


def _part_root(dataset_dir: Path, part: str) -> Path:
    if part not in SHEET_PARTS:
        raise ValueError(f"unknown part {part!r}; known: {', '.join(SHEET_PARTS)}")
    if (dataset_dir / "labels.json").is_file():
        return dataset_dir  # a single part folder
    return dataset_dir / part


def _pick(names: list[str], n: int, kind: str | None) -> list[str]:
    if kind is not None:
        names = [name for name in names if name.startswith(f"{kind}_")]
        if not names:
            raise ValueError(f"no file of kind {kind!r} (file names start with the kind)")
    names = sorted(names)
    if len(names) <= n:
        return names
    step = len(names) / n  # spread over the dataset rather than its first files only
    return [names[int(i * step)] for i in range(n)]


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _thumbnail(path: Path, polygons: list, caption: str) -> Image.Image:
    """A TILE x TILE tile with the image fitted in, its polygons drawn (first corner marked), a caption."""
    image = Image.open(path).convert("RGB")
    scale = TILE / max(image.size)
    image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    tile = Image.new("RGB", (TILE, TILE + CAPTION), (24, 24, 24))
    tile.paste(image, ((TILE - image.width) // 2, (TILE - image.height) // 2))
    draw = ImageDraw.Draw(tile)
    offset = np.array([(TILE - image.width) // 2, (TILE - image.height) // 2])
    for polygon in polygons:
        points = [tuple(float(v) for v in np.asarray(p) * scale + offset) for p in polygon]
        draw.line([*points, points[0]], fill=(0, 255, 0), width=2)
        x, y = points[0]  # the text's top-left: shows the reading direction
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(255, 40, 40))
    draw.text((4, TILE + 2), caption, fill=(230, 230, 230), font=_font(12))
    return tile


def _grid(tiles: list[Image.Image], columns: int) -> Image.Image:
    rows = math.ceil(len(tiles) / columns)
    width, height = tiles[0].size
    sheet = Image.new("RGB", (columns * width, rows * height), (0, 0, 0))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, ((i % columns) * width, (i // columns) * height))
    return sheet


def _crop_row(path: Path, label: str) -> Image.Image:
    """A crop at CROP_HEIGHT beside its label (the label is what the crop must read as)."""
    crop = Image.open(path).convert("RGB")
    width = min(CROP_WIDTH, max(1, round(crop.width * CROP_HEIGHT / crop.height)))
    crop = crop.resize((width, CROP_HEIGHT))
    row = Image.new("RGB", (CROP_WIDTH + 260, CROP_HEIGHT + 6), (255, 255, 255))
    row.paste(crop, (0, 3))
    ImageDraw.Draw(row).text((CROP_WIDTH + 10, 10), label, fill=(0, 0, 0), font=_font(18))
    return row


def _vin_captions(dataset_dir: Path) -> dict[str, str]:
    """VINs of the photos, from the sibling e2e labels when there are some (detection has none)."""
    e2e = dataset_dir / "e2e" / "labels.json"
    return json.loads(e2e.read_text(encoding="utf-8")) if e2e.is_file() else {}


def contact_sheet(
    dataset_dir: Path, out_png: Path, n: int = 24, part: str = "detection", kind: str | None = None
) -> Path:
    """Write a PNG grid of `n` samples of one part, spread over the dataset.

    Detection: thumbnails with the VIN polygon drawn (red dot: the text's first corner). E2E:
    thumbnails captioned with their VIN. Recognition: crops stacked beside their labels.

    Args:
        dataset_dir: a `generate` output folder, or one part folder (images/ + labels.json).
        out_png: where the sheet goes (parent folders are created).
        n: number of samples shown.
        part: "detection", "recognition" or "e2e".
        kind: only files whose name starts with ``{kind}_`` (generated files are named so).

    Returns:
        `out_png`.

    Raises:
        ValueError: unknown part, or no file of `kind`.
        vinreader.data.doctr.DatasetError: the folder is not a dataset of that format.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    dataset_dir, out_png = Path(dataset_dir), Path(out_png)
    root = _part_root(dataset_dir, part)
    if part == "detection":
        labels = load_detection_labels(root)
        vins = _vin_captions(dataset_dir)
        names = _pick(list(labels), n, kind)
        tiles = [
            _thumbnail(root / "images" / name, labels[name]["polygons"], f"{name} {vins.get(name, '')}")
            for name in names
        ]
        sheet = _grid(tiles, columns=min(6, len(tiles)))
    elif part == "e2e":
        texts = load_text_labels(root)
        names = _pick(list(texts), n, kind)
        tiles = [_thumbnail(root / "images" / name, [], f"{name} {texts[name]}") for name in names]
        sheet = _grid(tiles, columns=min(6, len(tiles)))
    else:
        texts = load_text_labels(root)
        names = _pick(list(texts), n, kind)
        rows = [_crop_row(root / "images" / name, texts[name]) for name in names]
        sheet = _grid(rows, columns=1 if len(rows) <= 16 else 2)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out_png)
    return out_png
