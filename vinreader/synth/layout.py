"""Door-jamb label designs: what is printed where, as an ink-coverage mask, and where the VIN is.

Each design imitates a family seen on real cars: ``ru_box`` (AvtoVAZ, Renault Russia: lines centred
in a thick black frame, EAC mark, numbers printed outside the frame), ``ru_black`` (Kia, Hyundai, VW
assembled in Russia: white on black, EAC mark beside the VIN, corner ticks, a rule and a small
square at the bottom), ``fr`` (Peugeot, Citroën, Renault: centred lines, bold VIN, a rule and codes
below it), ``de`` (VW, Škoda, Opel, Nissan: left-aligned, masses with a 'kg' column, type and paint
codes, text up the right edge) and ``us`` (FMVSS statement, GVWR/GAWR, Code 39 of the VIN).
Sizes are in units ``u`` of 1/100 of the label width.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw

from vinreader.synth.fonts import FontSpec, cap_box, choose_font, covers, load, size_for_cap_height
from vinreader.synth.glyphs import render_line

BARCODES = {
    "Code39": zxingcpp.BarcodeFormat.Code39,
    "DataMatrix": zxingcpp.BarcodeFormat.DataMatrix,
    "QRCode": zxingcpp.BarcodeFormat.QRCode,
}
Box = tuple[float, float, float, float]


def barcode_image(text: str, kind: str, module: int) -> np.ndarray:
    """A barcode of `text` ("Code39", "DataMatrix" or "QRCode"): grey uint8, 0 = bar, with its quiet zone."""
    if kind not in BARCODES:
        raise ValueError(f"unknown barcode {kind!r}; known: {sorted(BARCODES)}")
    symbol = zxingcpp.create_barcode(text, BARCODES[kind])
    return np.array(zxingcpp.write_barcode_to_image(symbol, scale=module), dtype=np.uint8)


@dataclass(frozen=True, eq=False)
class LabelPrint:
    """A label's print: `ink` (h, w) float32 coverage in [0, 1], the VIN's ink box, the design used."""

    ink: np.ndarray
    vin_box: Box
    design: str
    barcode: str | None


class Sheet:
    """A label being laid out top-down on an ink canvas; sizes in units of width/100."""

    def __init__(self, width: int, rng: np.random.Generator, knockout: bool = False) -> None:
        self.w, self.u, self.rng, self.knockout = width, width / 100, rng, knockout
        self.image = Image.new("L", (width, int(width * 1.6)), 0)
        self.draw = ImageDraw.Draw(self.image)
        self.y = 4 * self.u
        self.pastes: list[tuple[np.ndarray, int, int]] = []
        self.vin_box: Box = (0, 0, 0, 0)

    def text(self, s: str, spec: FontSpec, cap: float, x0: float, x1: float, align="left", y=None, bold=0.0) -> Box:
        """Draw `s` with capitals `cap` u tall within x0..x1 u (shrunk to fit); its box in px."""
        cap_px, top = cap * self.u, self.y if y is None else y
        fnt = load(spec, size_for_cap_height(spec, cap_px))
        stroke = round(bold * cap_px)
        width = fnt.getlength(s) + 2 * stroke
        if width > (x1 - x0) * self.u and len(s) > 1:  # shrink to fit, as label software does
            fnt = load(spec, size_for_cap_height(spec, cap_px * (x1 - x0) * self.u / width))
            width = fnt.getlength(s) + 2 * stroke
        x = {"left": x0 * self.u, "center": (x0 + x1) / 2 * self.u - width / 2, "right": x1 * self.u - width}[align]
        self.draw.text(
            (x, top - cap_box(spec, fnt.size)[0]), s, font=fnt, fill=255, stroke_width=stroke, stroke_fill=255
        )
        return (x, top, x + width, top + cap_px)

    def vin(self, vin: str, spec: FontSpec, cap: float, x0: float, x1: float, align="left", caption="", **kw) -> None:
        """Render the VIN line (with an optional caption before it) and remember its ink box."""
        cap_px = cap * self.u
        cap_w = 0.0
        if caption:
            caption_font = load(spec, size_for_cap_height(spec, cap_px * 0.7))
            cap_w = caption_font.getlength(caption) + cap_px * self.rng.uniform(0.6, 1.2)
        line = render_line(vin, self.rng, spec, cap_px, **kw)
        bx0, by0, bx1, by1 = line.box
        avail = (x1 - x0) * self.u - cap_w
        if bx1 - bx0 > avail:
            line = render_line(vin, self.rng, spec, cap_px * avail / (bx1 - bx0) * 0.97, **kw)
            bx0, by0, bx1, by1 = line.box
        total = cap_w + bx1 - bx0
        x = {"left": x0 * self.u, "center": (x0 + x1) / 2 * self.u - total / 2, "right": x1 * self.u - total}[align]
        if caption:
            cap_top, cap_bottom = cap_box(spec, caption_font.size)
            top = self.y + (by1 - by0) - cap_bottom + cap_top  # on the VIN's baseline
            self.draw.text((x, top - cap_top), caption, font=caption_font, fill=255)
        vx = x + cap_w
        self.pastes.append((line.mask, round(vx - bx0), round(self.y - by0)))
        self.vin_box = (
            round(vx - bx0) + bx0,
            round(self.y - by0) + by0,
            round(vx - bx0) + bx1,
            round(self.y - by0) + by1,
        )

    def lines(self, texts, spec: FontSpec, cap: float, x0: float, x1: float, align="left", spacing=1.6, **kw):
        for t in texts:
            self.text(t, spec, cap, x0, x1, align, **kw)
            self.y += cap * spacing * self.u

    def masses(self, rows: list[str], spec: FontSpec, cap: float, x_num: float, x_unit: float, spacing=1.55):
        """A masses block: numbers right-aligned at x_num u, their unit left-aligned at x_unit u."""
        for row in rows:
            number, _, unit = row.rpartition(" ")
            self.text(number, spec, cap, 0, x_num, "right")
            self.text(unit, spec, cap, x_unit, 100)
            self.y += cap * spacing * self.u

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float, fill=False) -> None:
        u = self.u
        self.draw.rectangle(
            (x0 * u, y0, x1 * u, y1), outline=255, width=max(1, round(width * u)), fill=255 if fill else None
        )

    def eac(self, x: float, y: float, h: float) -> None:
        """The Eurasian conformity mark 'EAC' in its blocky shapes, `h` u tall at (x u, y px)."""
        t, w = h * 0.15, h * 0.4  # the mark is about 1.4 h wide
        bars = {  # per letter: (x0, y0, x1, y1) rectangles in u from the letter's top-left
            "E": ((0, 0, t, h), (0, 0, w, t), (0, h / 2 - t / 2, w * 0.9, h / 2 + t / 2), (0, h - t, w, h)),
            "A": ((0, 0, t, h), (0, 0, w, t), (0, h / 2 - t / 2, w, h / 2 + t / 2), (w - t, 0, w, h)),
            "C": ((0, 0, t, h), (0, 0, w, t), (0, h - t, w, h)),
        }
        for i, letter in enumerate("EAC"):
            left = x + i * w * 1.25
            for x0, y0, x1, y1 in bars[letter]:
                box = ((left + x0) * self.u, y + y0 * self.u, (left + x1) * self.u, y + y1 * self.u)
                self.draw.rectangle(box, fill=255)

    def vertical(self, s: str, spec: FontSpec, cap: float, x: float, y: float) -> None:
        """Text running up the label at (x u, y px), as codes printed along a label's edge."""
        fnt = load(spec, size_for_cap_height(spec, cap * self.u))
        tile = Image.new("L", (int(fnt.getlength(s)) + 4, int(cap * self.u * 1.6)), 0)
        ImageDraw.Draw(tile).text((2, -cap_box(spec, fnt.size)[0] + 2), s, font=fnt, fill=255)
        tile = tile.rotate(90, expand=True)
        self.pastes.append((np.asarray(tile, np.float32) / 255, round(x * self.u), round(y)))

    def barcode(self, vin: str, kind: str, x: float, y: float, module: int = 0, height: float = 0) -> float:
        """Print a barcode of the VIN with its top-left at (x u, y px); returns its height in px.

        `module` is px per module (0: a size usual on labels of this width); `height` (px) sets a
        Code 39 symbol's bar height (0: 6-9 u).
        """
        if kind == "Code39":  # as wide as fits: ~270 modules with the quiet zones
            module = max(1, min(module or round(self.w / 380), int((97 - x) * self.u / 270)))
        else:
            module = max(module or round(0.45 * self.u), 2)
        sym = barcode_image(vin, kind, module).astype(np.float32) / 255
        sym = sym if self.knockout else 1 - sym  # ink the bars, or the patch around them
        if kind == "Code39":
            height = height or self.rng.uniform(6, 9) * self.u
            sym = cv2.resize(sym, (sym.shape[1], round(height)), interpolation=cv2.INTER_NEAREST)
        self.pastes.append((sym, round(x * self.u), round(y)))
        return sym.shape[0]

    def corner_ticks(self, top: float, bottom: float, length: float = 3.0) -> None:
        """L-shaped marks in the four corners between `top` and `bottom` px, as on Kia labels."""
        for cx, cy in ((1.5, top), (98.5, top), (1.5, bottom), (98.5, bottom)):
            sx, sy = (1 if cx < 50 else -1), (1 if cy == top else -1)
            self.rect(min(cx, cx + length * sx), cy, max(cx, cx + length * sx), cy + 0.3 * self.u, 0.2, fill=True)
            y0, y1 = sorted((cy, cy + sy * length * self.u))
            self.rect(cx - 0.15, y0, cx + 0.15, y1, 0.2, fill=True)

    def finish(self, design: str, barcode: str | None) -> LabelPrint:
        height = int(min(self.y + 3 * self.u, self.image.height))
        ink = np.asarray(self.image)[:height].astype(np.float32) * np.float32(1 / 255)
        for mask, x, y in self.pastes:
            h, w = min(mask.shape[0], height - y), min(mask.shape[1], self.w - x)
            if h > 0 and w > 0:
                np.maximum(ink[y : y + h, x : x + w], mask[:h, :w], out=ink[y : y + h, x : x + w])
        return LabelPrint(ink, self.vin_box, design, barcode)


@dataclass(frozen=True)
class Field:
    """One field of a form: its code ('D.1'), caption, value key and width in u."""

    code: str
    caption: str
    key: str
    width: float


@dataclass(frozen=True)
class Form:
    """A pre-printed form: title, ink colour, rows of fields, and how captions sit."""

    title: str
    ink: tuple[int, int, int]
    rows: tuple[tuple[Field, ...], ...]
    caption_left: bool = False  # caption left of the value (else above it)
    grid: bool = False  # boxes around the fields


def form_print(form: Form, vin: str, value, rng: np.random.Generator, width: int) -> tuple[LabelPrint, LabelPrint]:
    """Lay out `form` filled in: the form's own print, and the values (`value(key)`, the VIN at "VIN")."""
    paper, data = Sheet(width, rng), Sheet(width, rng)
    captions = form.title + "".join(f.code + f.caption for row in form.rows for f in row)
    form_font = choose_font(rng, str(rng.choice(["sans", "condensed", "serif"])), text=captions)
    data_font = choose_font(rng, str(rng.choice(["mono", "ocr", "typewriter", "sans", "condensed", "pixel"])))
    dots = rng.random() < 0.15  # values printed by a dot-matrix printer
    cap = float(rng.uniform(2.0, 2.6))
    u, row_h = paper.u, (5.2 if form.grid else 3.2) * cap * paper.u
    paper.lines([form.title], form_font, cap * 1.5, 3, 97, "center", spacing=2.4, bold=0.06)
    for row in form.rows:
        top, x = paper.y, 2.0
        for f in row:
            x1 = x + f.width * 0.96
            if f.code:
                paper.text(f.code, form_font, cap * 0.8, x + 0.5, x1, bold=0.08, y=top + 0.6 * u)
            caption_x = x + (0 if form.caption_left else len(f.code) * 1.6 + 1)
            if f.caption:
                paper.text(f.caption, form_font, cap * 0.6, caption_x, x + 36, y=top + 0.6 * u)
            value_x = x + (38 if form.caption_left else len(f.code) * 1.8 + 1.5 if not f.caption else 1)
            data.y = top + (0.6 if form.caption_left or not f.caption else 2.4) * cap * u
            text = value(f.key)
            if f.key == "VIN":
                kw = {"style": "dot_matrix", "grid": (5, 7)} if dots else {"tracking": float(rng.uniform(0, 0.15))}
                data.vin(vin, data_font, cap, value_x, x1, **kw)
            else:
                font = data_font if covers(data_font, text) else choose_font(rng, "mono", text=text)
                data.text(text, font, cap, value_x, x1)
            if form.grid:
                paper.rect(x, top, x + f.width, top + row_h, 0.15)
            x += f.width
        paper.y = top + row_h
        if form.caption_left:
            paper.rect(2, paper.y - 0.6 * cap * u, 98, paper.y - 0.6 * cap * u + 1, 0.1, fill=True)
    signature = value("surname").title()
    hand = choose_font(rng, "handwriting", text=signature)
    if "handwriting" in hand.tags:  # a signature over the last line, where the paper is signed
        data.text(signature, hand, cap * 1.8, 60, 97, y=paper.y - 1.5 * cap * u)
    paper.y += 4 * u
    data.y = paper.y
    return paper.finish("form", None), data.finish("form", None)
