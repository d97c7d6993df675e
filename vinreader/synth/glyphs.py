"""Lines of characters as masks: printed, dot-matrix (dot-peen), stencil and hand-stamped.

A `GlyphLine` is a float32 mask in [0, 1] with the tight box of its ink. Materials decide what the
mask means: ink coverage for print, height for embossing, depth for stamping or engraving. Glyph
bitmaps are cached per font, size and character, so a line costs a few paste operations.

Example:
    >>> import numpy as np
    >>> from vinreader.synth.fonts import choose_font
    >>> rng = np.random.default_rng(0)
    >>> line = render_line("XTA21070J0495272", rng, choose_font(rng, "mono"), 40, style="dot_matrix")
    >>> line.mask.dtype, line.box  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vinreader.synth.fonts import FontSpec, cap_box, load, size_for_cap_height

STYLES = ("print", "dot_matrix", "stencil", "hand_stamped")
# Characters whose closed counters a stencil must bridge, and where (fraction of the glyph width).
_STENCIL_CUTS = {**dict.fromkeys("0OQ8A469", 0.5), **dict.fromkeys("BDPR", 0.3)}
Box = tuple[float, float, float, float]


@dataclass(frozen=True, eq=False)
class GlyphLine:
    """A rendered line of text.

    Attributes:
        mask: (h, w) float32 in [0, 1]: ink coverage or relief height.
        box: tight (x0, y0, x1, y1) box of the mask's ink (x1, y1 exclusive), in mask pixels.
        char_boxes: (n, 4) float32 boxes of each non-space character, same frame.
        cap_height: the capital height the line was rendered at, in pixels.
    """

    mask: np.ndarray
    box: Box
    char_boxes: np.ndarray
    cap_height: float


@lru_cache(maxsize=8192)
def _glyph(spec: FontSpec, size: int, char: str, stroke: int) -> tuple[np.ndarray, int, int, float]:
    """A character's uint8 bitmap, its offset from the pen (left, top of the em box) and advance."""
    fnt = load(spec, size)
    x0, y0, x1, y1 = fnt.getbbox(char, stroke_width=stroke)
    image = Image.new("L", (max(x1 - x0, 1), max(y1 - y0, 1)), 0)
    ImageDraw.Draw(image).text((-x0, -y0), char, font=fnt, fill=255, stroke_width=stroke, stroke_fill=255)
    return np.asarray(image), int(x0), int(y0), float(fnt.getlength(char))


# A classic 5x7 dot-matrix font (as on LCD controllers and inkjet coders): the character, then its
# 7 rows as two hex digits each (bit 4 is the left column).
_DOTS_5X7 = """
    00E11131519110E 1040C040404040E 20E11010204081F 31F02040201110E 402060A121F0202 51F101E0101110E
    60608101E11110E 71F010204080808 80E11110E11110E 90E11110F01020C A0E1111111F1111 B1E11111E11111E
    C0E11101010110E D1C12111111121C E1F10101E10101F F1F10101E101010 G0E11101711110F H1111111F111111
    I0E04040404040E J0702020202120C K11121418141211 L1010101010101F M111B1515111111 N11111915131111
    O0E11111111110E P1E11111E101010 Q0E11111115120D R1E11111E141211 S0F10100E01011E T1F040404040404
    U1111111111110E V11111111110A04 W1111111515150A X11110A040A1111 Y1111110A040404 Z1F01020408101F
    -0000001F000000 *0004150E150400 /00010204081000 .00000000000C0C #0A0A1F0A1F0A0A
"""
FONT_5X7 = {
    entry[0]: np.array(
        [[(int(entry[1 + 2 * r : 3 + 2 * r], 16) >> (4 - c)) & 1 for c in range(5)] for r in range(7)], bool
    )
    for entry in _DOTS_5X7.split()
}


@lru_cache(maxsize=4096)
def _dot_cells(spec: FontSpec, char: str, cols: int, rows: int) -> np.ndarray:
    """Which cells of a cols x rows grid a character covers (bool).

    5x7 uses `FONT_5X7`; other grids sample a large rendering of `spec` at the cell centres, with
    strokes thickened so thin fonts leave unbroken runs of dots.
    """
    if (cols, rows) == (5, 7) and char in FONT_5X7:
        return FONT_5X7[char]
    size = size_for_cap_height(spec, 100)
    top = cap_box(spec, size)[0]
    # The grid spans the extent of wide capitals, so narrow characters ('1') stay narrow.
    extents = [_glyph(spec, size, ref, 0) for ref in "HM0W"]
    left = min(x0 for _, x0, _, _ in extents)
    right = max(x0 + bitmap.shape[1] for bitmap, x0, _, _ in extents)
    cell = np.zeros((100, right - left), np.uint8)
    bitmap, x0, y0, _ = _glyph(spec, size, char, 0)
    ys, xs = y0 - top, x0 - left
    src = bitmap[max(0, -ys) : max(0, 100 - ys), max(0, -xs) : max(0, cell.shape[1] - xs)]
    cell[max(0, ys) : max(0, ys) + src.shape[0], max(0, xs) : max(0, xs) + src.shape[1]] = src
    k = max(1, round(0.35 * min(cell.shape[1] / cols, 100 / rows)))
    cell = cv2.dilate(cell, np.ones((k, k), np.uint8))
    centre_x = ((np.arange(cols) + 0.5) * cell.shape[1] / cols).astype(int)
    centre_y = ((np.arange(rows) + 0.5) * 100 / rows).astype(int)
    return cell[np.ix_(centre_y, centre_x)] > 127


def _cut_stencil(bitmap: np.ndarray, char: str, cap: float) -> np.ndarray:
    where = _STENCIL_CUTS.get(char)
    if where is None:
        return bitmap
    out, half = bitmap.copy(), max(1, round(cap * 0.045))
    x = round(bitmap.shape[1] * where)
    out[:, max(0, x - half) : x + half] = 0
    return out


def _stamp(bitmap: np.ndarray, rng: np.random.Generator, cap: float) -> np.ndarray:
    """A hand-struck character: rotated a little, pressed deeper on one side."""
    h, w = bitmap.shape
    pad = round(0.15 * cap)
    padded = cv2.copyMakeBorder(bitmap, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    angle = float(rng.normal(0, 2.5))
    matrix = cv2.getRotationMatrix2D(((w + 2 * pad) / 2, (h + 2 * pad) / 2), angle, 1.0)
    turned = cv2.warpAffine(padded, matrix, padded.shape[::-1], flags=cv2.INTER_LINEAR)
    theta = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0 : turned.shape[0], 0 : turned.shape[1]].astype(np.float32)
    tilt = (np.cos(theta) * xs / turned.shape[1] + np.sin(theta) * ys / turned.shape[0]).astype(np.float32)
    depth = rng.uniform(0.55, 1.0) * (1 - rng.uniform(0.1, 0.45) * (tilt - tilt.min()))
    return np.clip(turned * depth, 0, 255).astype(np.uint8)


def _draw_dots(
    canvas: np.ndarray, cells: np.ndarray, x: float, y: float, pitch: tuple[float, float], rng, dot: float
) -> None:
    """Draw each covered cell as a round dot (anti-aliased, sub-pixel placed) into `canvas`."""
    rows, cols = np.nonzero(cells)
    n = rows.size
    cx = x + (cols + 0.5) * pitch[0] + rng.normal(0, 0.06 * pitch[0], n)
    cy = y + (rows + 0.5) * pitch[1] + rng.normal(0, 0.06 * pitch[1], n)
    radius = dot * min(pitch) / 2 * rng.uniform(0.85, 1.1, n)
    level = rng.uniform(180, 255, n)
    for px, py, r, v in zip(cx * 16, cy * 16, radius * 16, level, strict=True):
        cv2.circle(canvas, (int(px), int(py)), max(int(r), 8), float(v), -1, cv2.LINE_AA, shift=4)


def _paste_max(canvas: np.ndarray, bitmap: np.ndarray, x: int, y: int) -> None:
    h, w = bitmap.shape
    region = canvas[y : y + h, x : x + w]
    np.maximum(region, bitmap[: region.shape[0], : region.shape[1]], out=region)


def ink_box(mask: np.ndarray, threshold: float = 0.1) -> Box:
    """Tight (x0, y0, x1, y1) box of mask values above `threshold` (x1, y1 exclusive)."""
    cols = np.flatnonzero(mask.max(axis=0) > threshold)
    rows = np.flatnonzero(mask.max(axis=1) > threshold)
    if cols.size == 0:
        return (0.0, 0.0, 0.0, 0.0)
    return (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))


def render_line(
    text: str,
    rng: np.random.Generator,
    font: FontSpec,
    cap_height: float,
    style: str = "print",
    *,
    tracking: float = 0.0,
    jitter: float = 0.0,
    weight: int = 0,
    grid: tuple[int, int] = (5, 7),
    dot: float = 0.8,
) -> GlyphLine:
    """Render `text` as a mask in one of `STYLES`.

    Args:
        text: the characters (spaces advance the pen).
        rng: source of all randomness.
        font: the TrueType face the shapes come from (dot-matrix rasterizes it onto `grid`).
        cap_height: capital height in pixels.
        style: "print", "dot_matrix", "stencil" or "hand_stamped".
        tracking: extra space between characters, as a fraction of `cap_height`.
        jitter: random spacing and baseline jitter, as a fraction of `cap_height` (hand-stamped
            lines get at least 0.05).
        weight: extra stroke width in pixels (bolder print).
        grid: (columns, rows) of a dot-matrix character, e.g. (5, 7) or (7, 9).
        dot: dot diameter as a fraction of the grid pitch.
    """
    if style not in STYLES:
        raise ValueError(f"unknown glyph style {style!r}; known: {', '.join(STYLES)}")
    cap = float(cap_height)
    if style == "hand_stamped":
        jitter = max(jitter, 0.05)
    size = size_for_cap_height(font, cap)
    top = cap_box(font, size)[0]
    pad = round(cap * 0.5) + 2 * weight
    advances = [(_glyph(font, size, ch, weight)[3] if ch != " " else cap * 0.5) for ch in text]
    width = int(sum(advances) + tracking * cap * len(text) + jitter * cap * len(text) + 2 * pad + cap)
    canvas = np.zeros((int(cap * 1.9) + 2 * pad, width), np.uint8)
    pen, baseline_top = float(pad), pad + cap * 0.3  # y of the capitals' top
    boxes = []
    for ch, advance in zip(text, advances, strict=True):
        dy = rng.normal(0, jitter * cap) if jitter else 0.0
        if ch != " ":
            if style == "dot_matrix":
                pitch = (0.62 * cap / grid[0], cap / grid[1])
                _draw_dots(canvas, _dot_cells(font, ch, *grid), pen, baseline_top + dy, pitch, rng, dot)
                boxes.append((pen, baseline_top + dy, pen + 0.62 * cap, baseline_top + dy + cap))
                advance = 0.62 * cap + pitch[0] * 1.2
            else:
                bitmap, x0, y0, _ = _glyph(font, size, ch, weight)
                if style == "stencil":
                    bitmap = _cut_stencil(bitmap, ch, cap)
                shift = 0
                if style == "hand_stamped":
                    bitmap, shift = _stamp(bitmap, rng, cap), round(0.15 * cap)
                x, y = round(pen + x0 - shift), round(baseline_top + dy + y0 - top - shift)
                _paste_max(canvas, bitmap, x, y)
                boxes.append((x, y, x + bitmap.shape[1], y + bitmap.shape[0]))
        pen += advance + tracking * cap + (rng.normal(0, jitter * cap) if jitter else 0.0)
    mask = canvas.astype(np.float32) * np.float32(1 / 255)
    box = ink_box(mask)
    char_boxes = np.array(boxes, np.float32).reshape(-1, 4)
    x0, y0, x1, y1 = (int(v) for v in box)
    # Crop to the ink plus a small margin, so callers place the line by its visible extent.
    margin = max(2, round(0.1 * cap))
    cx0, cy0 = max(0, x0 - margin), max(0, y0 - margin)
    mask = np.ascontiguousarray(mask[cy0 : y1 + margin, cx0 : x1 + margin])
    shifted = (box[0] - cx0, box[1] - cy0, box[2] - cx0, box[3] - cy0)
    return GlyphLine(mask, shifted, char_boxes - np.array([cx0, cy0, cx0, cy0], np.float32), cap)
