"""Forms with the VIN written one character per box in a row of 17 boxes, scanned or photographed.

A form (vehicle inspection or registration card) has a title, printed captions with handwritten or
typed values, other rows of boxes (date, postcode, registration number: never 17 boxes), tick boxes,
and the VIN row: 17 boxes, as a comb (shared walls) or separate squares, in black or a printed colour.
The VIN is handwritten (real MNIST digits when given, else handwriting fonts with elastic distortion)
or typed (one print face for the row); characters may touch a wall. The sheet is then scanned or
photographed: rotation up to ±10°, perspective, blur, noise, uneven light, JPEG.

Example:
    >>> import numpy as np
    >>> form = render_form("1HGCM82633A004352", np.random.default_rng(0))
    >>> form.scene.kind, form.cells.shape
    ('form', (17, 4, 2))
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vinreader.data.characters import CharSet, glyph_fonts
from vinreader.synth import strings, textures
from vinreader.synth.boxcells import distort, font_glyph
from vinreader.synth.fonts import FontSpec, available_fonts, load
from vinreader.synth.render import Scene
from vinreader.vin import VIN_LENGTH

_CAPTIONS = ("Owner", "Address", "Make / model", "Colour", "Engine no.", "Inspector", "Remarks", "Odometer (km)")
_TITLES = ("VEHICLE INSPECTION CARD", "Vehicle registration form", "POLICE VEHICLE RECORD", "Application for title")
_VIN_CAPTIONS = ("VIN", "Vehicle identification number (VIN)", "Chassis / VIN", "17-character VIN")
_LINE_INKS = ((25, 25, 25), (60, 60, 60), (40, 70, 150), (150, 50, 50), (30, 110, 60))
_PEN_INKS = ((20, 20, 25), (25, 35, 120), (40, 40, 40))


@dataclass(frozen=True, eq=False)
class Form:
    """A rendered form: the scene (image, VIN, row polygon) and the 17 boxes' inner corners (17, 4, 2).

    ``inks`` holds each character's ink (float32, 1 = ink) as it was drawn, before it was put in its box:
    what the reader should see once the box is cut and its walls removed (``benchmarks/evaluate_boxes.py``).
    """

    scene: Scene
    cells: np.ndarray
    handwritten: bool
    inks: tuple[np.ndarray, ...] = ()


def _text(layer: Image.Image, xy: tuple[float, float], text: str, spec: FontSpec, size: int) -> int:
    """Draw text into an 'L' ink layer; return its width."""
    font = load(spec, size)
    ImageDraw.Draw(layer).text(xy, text, font=font, fill=255)
    return int(font.getlength(text))


def _box_row(ink: np.ndarray, x: float, y: float, n: int, side: float, gap: float, thick: int) -> np.ndarray:
    """Draw ``n`` boxes (a comb when ``gap`` is 0); return their inner corners (n, 4, 2)."""
    cells = []
    for i in range(n):
        x0 = x + i * (side + gap)
        cv2.rectangle(ink, (round(x0), round(y)), (round(x0 + side), round(y + side)), 255, thick)
        inner = thick / 2
        cells.append([(x0 + inner, y + inner), (x0 + side - inner, y + inner)])
        cells[-1] += [(x0 + side - inner, y + side - inner), (x0 + inner, y + side - inner)]
    return np.array(cells, np.float32)


def _char_ink(
    char: str,
    rng: np.random.Generator,
    handwritten: bool,
    typed_font: FontSpec,
    hand_fonts: list[FontSpec],
    digits: CharSet | None,
) -> np.ndarray:
    if not handwritten:
        return font_glyph(char, typed_font, rng, size=64)
    if char.isdigit() and digits is not None and rng.random() < 0.7:
        pool = np.flatnonzero(digits.labels == int(char))
        return distort(digits.images[int(rng.choice(pool))].astype(np.float32) / 255.0, rng, 0.3)
    return distort(font_glyph(char, hand_fonts[int(rng.integers(len(hand_fonts)))], rng, size=64), rng, 1.0)


def _write_chars(
    pen: np.ndarray, vin: str, cells: np.ndarray, rng: np.random.Generator, handwritten: bool, fonts, digits
) -> list[np.ndarray]:
    """Write ``vin`` into the boxes ``cells`` of the ``pen`` layer; return each character's ink as drawn."""
    print_fonts = [f for f in fonts if "handwriting" not in f.tags] or fonts
    hand_fonts = [f for f in fonts if "handwriting" in f.tags] or fonts
    typed_font = print_fonts[int(rng.integers(len(print_fonts)))]
    fill = rng.uniform(0.5, 0.8) if handwritten else rng.uniform(0.5, 0.7)
    inks = []
    for char, cell in zip(vin, cells, strict=True):
        (x0, y0), (x1, y1) = cell[0], cell[2]
        ink = _char_ink(char, rng, handwritten, typed_font, hand_fonts, digits)
        ys, xs = np.nonzero(ink > 0.1)
        ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        side = y1 - y0
        height = side * (fill * rng.uniform(0.9, 1.12) if handwritten else fill)
        width = min(ink.shape[1] * height / ink.shape[0], (x1 - x0) * 0.95)
        glyph = cv2.resize(ink, (max(2, round(width)), max(2, round(height))), interpolation=cv2.INTER_AREA)
        jitter = 0.12 if handwritten else 0.03
        cx = (x0 + x1) / 2 + rng.normal(0, jitter) * side
        cy = (y0 + y1) / 2 + rng.normal(0, jitter) * side
        gx, gy = round(cx - glyph.shape[1] / 2), round(cy - glyph.shape[0] / 2)
        gx = int(np.clip(gx, 0, pen.shape[1] - glyph.shape[1]))
        gy = int(np.clip(gy, 0, pen.shape[0] - glyph.shape[0]))
        region = pen[gy : gy + glyph.shape[0], gx : gx + glyph.shape[1]]
        np.maximum(region, glyph, out=region)
        inks.append(ink)
    return inks


def _layout(rng: np.random.Generator, w: int, h: int, form: np.ndarray, pen: np.ndarray, fonts, hand_fonts):
    """Title, captions with values, other box rows and tick boxes; return the VIN row's place."""
    layer, values = Image.new("L", (w, h), 0), Image.new("L", (w, h), 0)
    caption_font = available_fonts("sans")[int(rng.integers(len(available_fonts("sans"))))]
    size = int(w * rng.uniform(0.018, 0.026))
    _text(layer, (w * 0.06, h * 0.04), str(rng.choice(_TITLES)), caption_font, int(size * 1.5))
    side = w * rng.uniform(0.032, 0.045)
    rows = rng.permutation(6)  # which slot the VIN takes among 6 lines of the form
    y, slot_h, vin_place = h * 0.14, h * 0.8 / 6, None
    vin_slot, shift = int(np.argmin(rows)), 0.0
    for slot in rows.argsort():  # the VIN row first
        top = y + slot * slot_h + (shift if slot > vin_slot else 0.0)
        if rows[slot] == 0:  # the VIN row
            caption = str(rng.choice(_VIN_CAPTIONS))
            cw = _text(layer, (w * 0.06, top), caption, caption_font, size)
            below = rng.random() < 0.5 or cw > w * 0.3
            x = w * 0.06 if below else w * 0.06 + cw + size
            vy = top + size * 1.6 if below else top - side * 0.25
            # A row under its caption keeps half a box clear of the next field (whose boxes start up
            # to 0.22 side above its line): the fields below move down to make room.
            shift = max(0.0, vy + side * 1.75 - (top + slot_h))
            vin_place = (x, vy)
            continue
        kind = rows[slot] % 3
        caption = str(rng.choice(_CAPTIONS))
        cw = _text(layer, (w * 0.06, top), caption, caption_font, size)
        x = w * 0.06 + cw + size
        if kind == 0:  # a date or number in boxes, grouped: never 17 in a row
            s = side * rng.uniform(0.8, 1.1)
            for n in (2, 2, 4) if rng.random() < 0.5 else (int(rng.integers(4, 12)),):
                _box_row(form, x, top - s * 0.2, n, s, float(rng.choice([0, 3])), int(rng.integers(1, 3)))
                x += n * (s + 3) + s * 0.8
        elif kind == 1:  # a line with a handwritten or typed value on it
            cv2.line(form, (round(x), round(top + size * 1.2)), (round(w * 0.94), round(top + size * 1.2)), 255, 1)
            value = strings.code(rng, int(rng.integers(5, 14))).title()
            spec = hand_fonts[int(rng.integers(len(hand_fonts)))] if rng.random() < 0.6 else caption_font
            _text(values, (x + size, top - size * 0.2), value, spec, int(size * 1.2))
        else:  # tick boxes with labels
            for _ in range(int(rng.integers(2, 5))):
                s = side * rng.uniform(0.5, 0.8)
                cv2.rectangle(form, (round(x), round(top)), (round(x + s), round(top + s)), 255, 1)
                x += s + size * 0.5 + _text(layer, (x + s + size * 0.4, top), str(rng.choice(["yes", "no", "n/a"])),
                                            caption_font, size)  # fmt: skip
                x += size
    form[:] = np.maximum(form, np.asarray(layer))
    pen[:] = np.maximum(pen, np.asarray(values))
    return vin_place, side


def _scan(
    rng: np.random.Generator, paper: np.ndarray, points: np.ndarray, max_angle: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate (±max_angle), tilt in perspective and light the sheet like a scan or phone photo."""
    h, w = paper.shape[:2]
    margin = int(0.12 * max(h, w))
    out_w, out_h = w + 2 * margin, h + 2 * margin
    corners = np.array([(0, 0), (w, 0), (w, h), (0, h)], np.float32)
    angle = np.deg2rad(rng.uniform(-max_angle, max_angle))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    center = np.array([w / 2, h / 2], np.float32)
    moved = (corners - center) @ rotation.T + np.array([out_w / 2, out_h / 2], np.float32)
    moved += rng.normal(0, 0.015 * max(w, h), moved.shape).astype(np.float32)  # perspective
    matrix = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    background = tuple(float(v) for v in rng.uniform(30, 240, 3)) if rng.random() < 0.5 else (235.0,) * 3
    image = cv2.warpPerspective(paper, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=background)
    warped = cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(points.shape)
    image = image.astype(np.float32) * (1 + 0.12 * textures.gradient(rng, out_h, out_w))[:, :, None]
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.4, 1.2)))
    image = textures.add_noise(rng, np.clip(image, 0, 255), float(rng.uniform(0, 8)))
    quality = int(rng.integers(50, 95))
    ok, data = cv2.imencode(".jpg", image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1].copy() if ok else image
    return image, warped


def render_form(
    vin: str | None,
    rng: np.random.Generator,
    *,
    fonts: list[FontSpec] | None = None,
    digits: CharSet | None = None,
    handwritten: bool | None = None,
    max_angle: float = 10.0,
) -> Form:
    """A scanned form with ``vin`` in a row of 17 boxes (when None, a `strings.training_vin` made possible).

    Args:
        vin: the 17 characters to write.
        rng: source of all randomness.
        fonts: faces for typed and handwritten characters (default: the charbox training fonts;
            evaluation passes the held-out ones).
        digits: real handwritten digits to use for handwritten digits (e.g. held-out MNIST).
        handwritten: force handwriting (True) or typing (False); None draws (60% handwritten).
        max_angle: largest rotation of the sheet in degrees.
    """
    vin = vin or strings.possible_vin(strings.training_vin(rng))  # no form carries a VIN no vehicle can have
    if len(vin) != VIN_LENGTH:
        raise ValueError(f"a form row holds 17 characters, got {vin!r}")
    fonts = fonts or glyph_fonts("train")
    hand_fonts = [f for f in fonts if "handwriting" in f.tags] or fonts
    handwritten = bool(rng.random() < 0.6) if handwritten is None else handwritten
    w = int(rng.uniform(1000, 1400))
    h = int(w * rng.uniform(0.65, 0.85))
    form, pen = np.zeros((h, w), np.uint8), np.zeros((h, w), np.float32)
    (x, y), side = _layout(rng, w, h, form, pen, fonts, hand_fonts)
    gap = 0.0 if rng.random() < 0.55 else float(side * rng.uniform(0.06, 0.25))
    side = min(side, (w * 0.92 - x) / VIN_LENGTH - gap)
    if side < 18:  # the caption left too little room: put the row under it, full width
        x, y = w * 0.06, y + side * 1.5
        side = (w * 0.88) / VIN_LENGTH - gap
    thick = int(rng.integers(1, 4))
    cells = _box_row(form, x, y, VIN_LENGTH, side, gap, thick)
    inks = _write_chars(pen, vin, cells, rng, handwritten, fonts, digits)
    paper = textures.paper(rng, h, w).astype(np.float32)
    line_ink = np.array(_LINE_INKS[int(rng.choice(len(_LINE_INKS), p=[0.45, 0.2, 0.15, 0.1, 0.1]))], np.float32)
    pen_ink = np.array(_PEN_INKS[int(rng.integers(len(_PEN_INKS)))], np.float32)
    a = form.astype(np.float32)[:, :, None] / 255.0
    paper = paper * (1 - a) + line_ink * a
    p = np.clip(pen, 0, 1)[:, :, None] * float(rng.uniform(0.8, 1.0))
    paper = paper * (1 - p) + pen_ink * p
    row = np.array([cells[0][0], cells[-1][1], cells[-1][2], cells[0][3]], np.float32)
    points = np.concatenate([cells.reshape(-1, 2), row])
    image, warped = _scan(rng, paper.astype(np.uint8), points, max_angle)
    cells_out = warped[: VIN_LENGTH * 4].reshape(VIN_LENGTH, 4, 2)
    scene = Scene(image=image, vin=vin, polygon=warped[VIN_LENGTH * 4 :].astype(np.float32), kind="form")
    return Form(scene=scene, cells=cells_out.astype(np.float32), handwritten=handwritten, inks=tuple(inks))
