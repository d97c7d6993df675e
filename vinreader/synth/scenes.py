"""The scene kinds `vinreader synth` can render, behind one entry point.

Each kind is a close-up of where a VIN is found, with the things around it that are not the VIN:
``door_sticker`` (a printed label on the door pillar), ``windshield_plate`` (a plate on the dash
seen through the glass), ``stamped_metal`` (characters punched or engraved into the body or
frame) and ``document`` (a registration certificate or title). Camera effects (perspective, blur,
noise, JPEG) are left to `vinreader.synth.effects`.

Example:
    >>> import numpy as np
    >>> scene = render_scene("stamped_metal", np.random.default_rng(0))
    >>> scene.image.shape[2], scene.polygon.shape
    (3, (4, 2))
"""

from __future__ import annotations

import numpy as np

from vinreader.synth import materials, strings, textures
from vinreader.synth.documents import document_print
from vinreader.synth.fonts import choose_font
from vinreader.synth.glyphs import GlyphLine, render_line
from vinreader.synth.render import PLATE_STYLES, Scene, render_plate, render_sticker, vin_polygon

KINDS = ("door_sticker", "windshield_plate", "stamped_metal", "document")
"""The photo kinds: what `vinreader synth` makes by default."""
FORM_KINDS = ("form",)
"""Forms with the VIN in 17 boxes (`synth.forms`), already scanned: only when asked for (``--kinds form``)."""
ALL_KINDS = KINDS + FORM_KINDS
_STICKER_BARCODES = (None, "Code39", "DataMatrix", "QRCode")


def render_scene(kind: str, rng: np.random.Generator, vin: str | None = None) -> Scene:
    """A close-up scene of `kind` showing `vin` (a `strings.training_vin` when None).

    The image is about 640-1200 px wide; the polygon holds exactly the VIN's 17 characters.

    Example:
        >>> scene = render_scene("door_sticker", np.random.default_rng(7), vin="XTAGAB110L1243238")
        >>> scene.vin, scene.kind
        ('XTAGAB110L1243238', 'door_sticker')
    """
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown scene kind {kind!r}; known: {', '.join(ALL_KINDS)}")
    vin = vin or strings.training_vin(rng)
    if kind == "form":
        from vinreader.synth.forms import render_form

        return render_form(vin, rng).scene
    width = int(rng.uniform(640, 1200))
    if kind == "door_sticker":
        barcode = _STICKER_BARCODES[int(rng.choice(4, p=[0.5, 0.15, 0.2, 0.15]))]
        return render_sticker(vin, rng, width=width, barcode=barcode)
    if kind == "windshield_plate":
        style = str(rng.choice(PLATE_STYLES, p=[0.35, 0.3, 0.2, 0.15]))
        return render_plate(vin, rng, width=width, style=style)
    if kind == "stamped_metal":
        return render_stamped(vin, rng, width=width)
    return render_document(vin, rng, width=width)


def _stamped_line(vin: str, rng: np.random.Generator, cap: float) -> tuple[GlyphLine, str]:
    """The VIN as punched (hand-stamped or machine-stamped), dot-peened, stencilled or engraved."""
    method = str(rng.choice(["hand", "machine", "dot_peen", "stencil", "engraved"], p=[0.3, 0.3, 0.2, 0.1, 0.1]))
    if method == "dot_peen":
        grid = (5, 7) if rng.random() < 0.6 else (7, 9)
        return render_line(vin, rng, choose_font(rng, "mono"), cap, "dot_matrix", grid=grid), method
    tags = {"engraved": ["sans", "mono", "ocr"], "stencil": ["sans bold", "mono bold", "din"]}
    spec = choose_font(rng, str(rng.choice(tags.get(method, ["mono", "din", "condensed bold", "ocr", "sans"]))))
    style = {"hand": "hand_stamped", "stencil": "stencil"}.get(method, "print")
    weight = 0 if method == "engraved" else int(rng.integers(0, 3))
    line = render_line(vin, rng, spec, cap, style, tracking=float(rng.uniform(0.05, 0.3)), weight=weight)
    return line, method


def _metal(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, bool]:
    """Painted or bare steel with its wear (rust, scratches, dirt) done before the stamping."""
    painted = rng.random() < 0.55
    if painted:
        image = materials.painted_panel(rng, h, w, textures.PAINTS[int(rng.integers(len(textures.PAINTS)))])
    else:
        image = materials.bare_steel(rng, h, w)
    if rng.random() < (0.6 if not painted else 0.25):
        materials.rust(rng, image, float(rng.uniform(0.05, 0.35)))
    if rng.random() < 0.6:
        materials.scratches(rng, image, int(rng.integers(3, 25)), bright=painted)
    if rng.random() < 0.5:
        materials.grime(rng, image, float(rng.uniform(0.1, 0.45)))
    return image, painted


def render_stamped(vin: str, rng: np.random.Generator, *, width: int = 900) -> Scene:
    """A VIN punched or engraved into painted or bare metal, lit from one side.

    Stamped characters are rendered as relief: the glyph mask becomes a depth map that a
    directional light shades (bright and dark flanks), so contrast comes from the light, not ink.
    Stars often frame the VIN and another stamped code may sit nearby; both stay outside the polygon.
    """
    cap = width * rng.uniform(0.035, 0.06)
    line, method = _stamped_line(vin, rng, cap)
    bx0, by0, bx1, by1 = line.box
    height = int(max(width * rng.uniform(0.35, 0.65), (by1 - by0) * 5))
    image, painted = _metal(rng, height, width)
    x = int((width - (bx1 - bx0)) * rng.uniform(0.2, 0.8) - bx0)
    y = int((height - (by1 - by0)) * rng.uniform(0.25, 0.75) - by0)
    relief = {
        "cap_height": cap,
        "light_angle": float(rng.choice([rng.normal(90, 30), rng.normal(0, 25), rng.normal(180, 25)])),
        "depth": -float(rng.uniform(0.6, 1.6)) if method != "engraved" else -0.5,
        "groove_dark": float(rng.uniform(0.2, 0.6)) if not painted else float(rng.uniform(0.0, 0.3)),
        "shine": 0.5,
    }
    if rng.random() < 0.6:  # star marks framing the VIN
        mark = render_line("*", rng, choose_font(rng, "sans bold"), cap * 0.9)
        for mx in (x + bx0 - mark.mask.shape[1] - 0.3 * cap, x + bx1 + 0.3 * cap):
            materials.relief(image, mark.mask, int(mx), int(y + by0), rng, **relief)
    if rng.random() < 0.4:  # another stamped code (engine or body number) above or below
        other, _ = _stamped_line(str(rng.choice([strings.vin_like(rng), strings.code(rng, 8)])), rng, cap * 0.8)
        above = y + by0 > height / 2
        oy = int(y + by0 - 1.0 * cap - other.mask.shape[0]) if above else int(y + by1 + 1.0 * cap)
        materials.relief(image, other.mask, int(x + bx0 + rng.uniform(-0.1, 0.3) * (bx1 - bx0)), oy, rng, **relief)
    materials.relief(image, line.mask, x, y, rng, **relief)
    image = materials.to_uint8(image)
    pad = 0.15 * (by1 - by0)
    polygon = vin_polygon((x + bx0, y + by0, x + bx1, y + by1), pad, image.shape)
    return Scene(image=image, vin=vin, polygon=polygon, kind="stamped_metal")


def _offset(rng: np.random.Generator, fill: tuple[float, float], keep: tuple[float, float]) -> int:
    """An offset within `keep` (the VIN stays in frame), within `fill` too (no empty edges) if it can."""
    lo, hi = max(fill[0], keep[0]), min(fill[1], keep[1])
    if lo > hi:
        lo, hi = keep if keep[0] <= keep[1] else ((keep[0] + keep[1]) / 2,) * 2
    return int(rng.uniform(lo, hi))


def render_document(vin: str, rng: np.random.Generator, *, width: int = 900) -> Scene:
    """A registration certificate or title on a desk: the VIN among many printed fields.

    The form (captions, grid, title) is pre-printed in a colour; the values, VIN included, are
    printed later in black and are often a little out of register with the form.
    """
    paper_w = int(width * rng.uniform(0.85, 1.25))
    form, data, spec = document_print(vin, rng, paper_w)
    paper_h, form_ink = form.ink.shape[0], spec.ink
    shift = rng.normal(0, 0.004 * paper_w, 2).round().astype(int)
    bx0, by0, bx1, by1 = (v + float(shift[i % 2]) for i, v in enumerate(data.vin_box))
    height = int(width * rng.uniform(0.6, 0.9))
    image = textures.desk(rng, height, width)
    # Place the paper so that the VIN is in the frame; the paper may run past the edges.
    ox = _offset(rng, (width - paper_w, 0.1 * width), (0.05 * width - bx0, 0.95 * width - bx1))
    oy = _offset(rng, (height - paper_h, 0.1 * height), (0.05 * height - by0, 0.9 * height - by1))
    x0, y0, x1, y1 = max(ox, 0), max(oy, 0), min(ox + paper_w, width), min(oy + paper_h, height)
    paper = textures.document_paper(rng, y1 - y0, x1 - x0, form_ink)  # only the part in the frame
    materials.print_ink(paper, form.ink, ox - x0, oy - y0, form_ink)
    materials.print_ink(paper, data.ink, ox - x0 + int(shift[0]), oy - y0 + int(shift[1]), (rng.uniform(10, 40),) * 3)
    image[y0:y1, x0:x1] = paper
    if rng.random() < 0.4:
        image += textures.sheen(rng, height, width, float(rng.uniform(0.03, 0.12)))
    image = materials.to_uint8(image)
    pad = 0.12 * (by1 - by0)
    polygon = vin_polygon((bx0 + ox, by0 + oy, bx1 + ox, by1 + oy), pad, image.shape)
    return Scene(image=image, vin=vin, polygon=polygon, kind="document")
