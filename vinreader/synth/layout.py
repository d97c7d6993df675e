"""Label layout: fonts, the rows of a door-jamb sticker, barcodes, and drawing them with PIL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from vinreader.synth.strings import (
    FMVSS_TEXT,
    approval_number,
    build_date,
    country_line,
    maker_name,
    mass_lines,
    part_number,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DM_GAP = 20  # px at width 900 between a Data Matrix and the text left of it
_REGULAR = ("DejaVuSans.ttf", "DejaVuSansCondensed.ttf")
_BOLD = ("DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf")
_CAPTIONS = ("VIN", "VIN:", "V.I.N.")

Box = tuple[float, float, float, float]
BARCODES = {"Code39": zxingcpp.BarcodeFormat.Code39, "DataMatrix": zxingcpp.BarcodeFormat.DataMatrix}


@lru_cache(maxsize=64)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A TrueType font by DejaVu file name (e.g. 'DejaVuSansMono-Bold.ttf') or by path."""
    path = Path(name)
    return ImageFont.truetype(str(path if path.is_file() else FONT_DIR / name), max(size, 4))


def text_width(text: str, fnt: ImageFont.FreeTypeFont, tracking: float = 0.0) -> float:
    """Advance width of `text` with `tracking` extra pixels between characters."""
    return fnt.getlength(text) + tracking * max(len(text) - 1, 0)


def draw_text(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fnt, fill, tracking: float = 0.0
) -> Box:
    """Draw `text` at `xy` (top-left of the line), character by character if tracked; its ink box."""
    x, y = xy
    if not tracking:
        draw.text((x, y), text, font=fnt, fill=fill)
        return draw.textbbox((x, y), text, font=fnt)
    boxes = []
    for ch in text:
        draw.text((x, y), ch, font=fnt, fill=fill)
        boxes.append(draw.textbbox((x, y), ch, font=fnt))
        x += fnt.getlength(ch) + tracking
    b = np.array(boxes, dtype=np.float64)
    return (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())


@dataclass(frozen=True)
class Row:
    """One line of a label. Sizes are font pixels at width 900.

    kind: "text", "vin" (the VIN line) or "code39" (a barcode `size` px high; no text drawn).
    right: optional text right-aligned on the same line; caption: drawn before a VIN, smaller.
    tracking: extra space between characters, as a fraction of the font size.
    """

    kind: str
    text: str
    font: str
    size: float
    spacing: float = 1.3
    right: str = ""
    caption: str = ""
    tracking: float = 0.0


def draw_row(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], row: Row, s: float, avail: float, ink
) -> Box:
    """Draw a row within `avail` pixels (the font shrinks to fit); returns the ink box of row.text."""
    size = row.size * s
    while True:
        fnt, cap = font(row.font, round(size)), font(_BOLD[0], round(size * 0.6))
        tracking = row.tracking * size
        cap_w = cap.getlength(row.caption) + size * 0.4 if row.caption else 0.0
        right_w = fnt.getlength(row.right) + size if row.right else 0.0
        if cap_w + text_width(row.text, fnt, tracking) + right_w <= avail or size < 8:
            break
        size *= 0.95
    x, y = xy
    if row.caption:
        # Captions sit on the VIN's baseline.
        draw.text((x, y + fnt.getmetrics()[0] - cap.getmetrics()[0]), row.caption, font=cap, fill=ink)
    box = draw_text(draw, (x + cap_w, y), row.text, fnt, ink, tracking)
    if row.right:
        draw.text((x + avail - fnt.getlength(row.right), y), row.right, font=fnt, fill=ink)
    return box


def _vin_rows(vin: str, rng: np.random.Generator, vin_font: str, code39: bool) -> list[Row]:
    style = int(rng.integers(3))  # 0: no caption, 1: inline caption, 2: caption line above
    caption = str(rng.choice(_CAPTIONS)) if style == 1 else ""
    tracking = float(rng.uniform(0.0, 0.08)) if "Mono" not in vin_font else 0.0
    rows = [Row("vin", vin, vin_font, float(rng.uniform(38, 46)), 1.45, caption=caption, tracking=tracking)]
    if style == 2:
        labels = ("VEHICLE IDENTIFICATION NUMBER", "VIN") + (() if vin[0] in "12345" else ("FIN / VIN",))
        label = str(rng.choice(labels))
        rows.insert(0, Row("text", label, _REGULAR[0], 16, 1.3))
    if code39:
        rows.append(Row("code39", vin, "", float(rng.uniform(50, 64))))
    return rows


def sticker_rows(vin: str, rng: np.random.Generator, vin_font: str, code39: bool) -> list[Row]:
    """The lines of a door-jamb label for `vin`: US FMVSS style for North America, else EU style."""
    regular, bold = str(rng.choice(_REGULAR)), str(rng.choice(_BOLD))
    date = build_date(rng)
    vin_rows = _vin_rows(vin, rng, vin_font, code39)
    if vin[0] in "12345":
        head = [Row("text", f"MFD BY: {maker_name(vin)}", bold, 24, right=date)]
        body = [Row("text", t, regular, 20, 1.25) for t in mass_lines(rng, europe=False)]
        body += [Row("text", t, regular, 15, 1.25) for t in FMVSS_TEXT]
        tail = [Row("text", f"TYPE: PASS CAR   {part_number(rng, 8)}", regular, 19)]
    else:
        head = [Row("text", maker_name(vin), bold, 30, 1.35), Row("text", approval_number(rng), regular, 22)]
        masses = mass_lines(rng, europe=True)[: int(rng.integers(2, 5))]
        body = [Row("text", t, regular, 22, 1.25) for t in masses]
        tail = [
            Row("text", country_line(vin), bold, 20, right=date),
            Row("text", part_number(rng), regular, 20),
        ]
    if rng.random() < 0.5:
        return head + vin_rows + body + tail
    return head + body + vin_rows + tail


def barcode_image(text: str, kind: str, module: int) -> np.ndarray:
    """A barcode encoding `text` ("Code39" or "DataMatrix"), grey uint8, `module` px per module."""
    if kind not in BARCODES:
        raise ValueError(f"unknown barcode {kind!r}; known: {sorted(BARCODES)}")
    symbol = zxingcpp.create_barcode(text, BARCODES[kind])
    return np.array(zxingcpp.write_barcode_to_image(symbol, scale=module), dtype=np.uint8)


def draw_rows(canvas: Image.Image, rows: list[Row], s: float, dm: np.ndarray | None) -> tuple[Box, int]:
    """Lay out `rows` top-down (a Data Matrix top-right) on an "L" ink-coverage canvas.

    Returns:
        The VIN's ink box and the height used.
    """
    draw, label_w, pad = ImageDraw.Draw(canvas), canvas.width, round(24 * s)
    dm_x = label_w - pad - (dm.shape[1] if dm is not None else 0)
    dm_bottom = pad + dm.shape[0] if dm is not None else 0
    y, vin_box = float(pad), (0.0, 0.0, 0.0, 0.0)
    for row in rows:
        avail = (dm_x - DM_GAP * s if y < dm_bottom else label_w - pad) - pad
        if row.kind == "code39":
            sym = barcode_image(row.text, "Code39", module=max(1, round(2 * s)))
            sym = cv2.resize(sym, (sym.shape[1], round(row.size * s)), interpolation=cv2.INTER_NEAREST)
            x = pad + int(max(0, min(avail - sym.shape[1], vin_box[0] - pad - 10 * s)))
            _print(canvas, sym, x, int(y))
            y += sym.shape[0] + 14 * s
            continue
        box = draw_row(draw, (pad, y), row, s, avail, 255)
        vin_box = box if row.kind == "vin" else vin_box
        y += row.size * s * row.spacing
    if dm is not None:
        _print(canvas, dm, dm_x, pad)
    return vin_box, int(max(y, dm_bottom) + pad * 0.5)


def _print(canvas: Image.Image, symbol: np.ndarray, x: int, y: int) -> None:
    """Add a grey barcode symbol (0 = bar) to the ink-coverage canvas at (x, y)."""
    coverage = Image.fromarray(255 - symbol)
    region = canvas.crop((x, y, x + coverage.width, y + coverage.height))
    canvas.paste(Image.fromarray(np.maximum(np.asarray(region), np.asarray(coverage))), (x, y))
