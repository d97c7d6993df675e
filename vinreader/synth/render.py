"""Render VIN close-ups (door-jamb labels, windshield plates) and put scenes into phone photos.

Every function takes a `numpy.random.Generator` and draws all its randomness from it, so a seed
gives identical images (on machines with the same font packages). Sizes scale with `width`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinreader.synth import materials, textures
from vinreader.synth.documents import choose_design, label_print
from vinreader.synth.fonts import choose_font
from vinreader.synth.glyphs import render_line
from vinreader.synth.layout import BARCODES

PLATE_STYLES = ("embossed", "dot_peen", "printed", "label")
# Label stocks by design, with their probabilities.
_STOCKS = {
    "ru_black": (("black", "white", "silver"), (0.8, 0.1, 0.1)),
    "de": (("silver", "black", "white"), (0.4, 0.3, 0.3)),
    "default": (("white", "silver", "cream"), (0.65, 0.2, 0.15)),
}


@dataclass(frozen=True, eq=False)
class Scene:
    """A rendered image and where its VIN is.

    Attributes:
        image: (H, W, 3) uint8 RGB.
        vin: the VIN printed in the image.
        polygon: (4, 2) float32 corners of the VIN's 17 characters in image pixels, in reading order
            (the text's top-left, top-right, bottom-right, bottom-left: clockwise). A caption such as
            'VIN:' is outside it.
        kind: the scene kind ("door_sticker", "windshield_plate", ...), "+photo" after `place_in_photo`.
    """

    image: np.ndarray
    vin: str
    polygon: np.ndarray
    kind: str


def vin_polygon(box: tuple[float, float, float, float], pad: float, shape: tuple[int, ...]) -> np.ndarray:
    """The (4, 2) float32 polygon of an ink box grown by `pad` px, clipped to an image of `shape`."""
    x0, y0, x1, y1 = box
    h, w = shape[:2]
    x0, y0, x1, y1 = max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, w - 1), min(y1 + pad, h - 1)
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float32)


def render_sticker(
    vin: str,
    rng: np.random.Generator,
    *,
    width: int = 900,
    barcode: str | None = None,
    design: str | None = None,
    caption: str | None = None,
) -> Scene:
    """A door-jamb label (maker, approvals, masses, VIN, optional barcode) on the painted door pillar.

    Args:
        vin: the VIN to print (and encode in the barcode).
        rng: source of all randomness.
        width: image width in pixels; the height follows from the label's content.
        barcode: "Code39", "DataMatrix", "QRCode" (each encoding the VIN) or None.
        design: a label design from `vinreader.synth.documents.DESIGNS`; None picks one for the VIN.
        caption: text before the VIN ("VIN:"), outside the polygon; None: sometimes one, "": none.
    """
    if barcode not in (None, *BARCODES):
        raise ValueError(f"unknown barcode {barcode!r}; known: {sorted(BARCODES)}")
    label_w = int(width * rng.uniform(0.62, 0.84))
    design = design or choose_design(vin, rng)
    names, weights = _STOCKS.get(design, _STOCKS["default"])
    stock = str(rng.choice(names, p=weights))
    printed = label_print(
        vin, rng, label_w, design=design, barcode=barcode, caption=caption, light_ink=stock == "black"
    )
    label_h = printed.ink.shape[0]
    label = textures.label_stock(rng, stock, label_h, label_w)
    ink_level = rng.uniform(205, 240) if stock == "black" else rng.uniform(10, 45)
    ink = printed.ink
    if rng.random() < 0.3:  # worn print: fades in patches, never below what a barcode needs
        ink = ink * (1 - rng.uniform(0.1, 0.35) * np.clip(textures.low_freq(rng, label_h, label_w, 5), 0, 1))
    materials.print_ink(label, ink, 0, 0, (ink_level,) * 3)
    if stock in ("black", "silver") or rng.random() < 0.3:
        label += textures.sheen(rng, label_h, label_w, float(rng.uniform(0.05, 0.3)))
    if rng.random() < 0.3:
        materials.scratches(rng, label, int(rng.integers(2, 12)), bright=stock == "black")
    margin_x = width - label_w
    margin_y = (int(rng.uniform(0.06, 0.3) * width), int(rng.uniform(0.06, 0.3) * width))
    image = materials.door_pillar(rng, label_h + sum(margin_y), width)
    x, y = int(rng.uniform(0.15, 0.85) * margin_x), margin_y[0]
    alpha = textures.rounded_mask(label_h, label_w, round(label_w * rng.uniform(0.005, 0.03)))
    region = image[y : y + label_h, x : x + label_w]
    region *= np.float32(0.82)  # the label's thin edge shadow, mostly hidden under the label
    materials.blend(region, label, alpha[:, :, 0])
    image = materials.to_uint8(image)
    box = printed.vin_box
    pad = 0.12 * (box[3] - box[1])
    polygon = vin_polygon((box[0] + x, box[1] + y, box[2] + x, box[3] + y), pad, image.shape)
    return Scene(image=image, vin=vin, polygon=polygon, kind="door_sticker")


def _plate_text(vin: str, rng: np.random.Generator, style: str, cap: float):
    """The VIN as a glyph line for a plate style (dot-peen plates use a dot-matrix line)."""
    if style == "dot_peen":
        grid = (5, 7) if rng.random() < 0.6 else (7, 9)
        spec = choose_font(rng, "mono")
        return render_line(vin, rng, spec, cap, "dot_matrix", grid=grid, dot=float(rng.uniform(0.7, 1.0)))
    tags = {
        "embossed": ["mono bold", "condensed bold", "din", "ocr"],
        "printed": ["sans", "mono", "ocr", "condensed"],
    }
    spec = choose_font(rng, str(rng.choice(tags.get(style, tags["printed"]))))
    return render_line(vin, rng, spec, cap, tracking=float(rng.uniform(0.0, 0.15)), weight=int(style == "embossed"))


def render_plate(vin: str, rng: np.random.Generator, *, width: int = 900, style: str = "embossed") -> Scene:
    """A VIN plate on the dashboard seen through the windshield: tint, reflections, the frit band.

    Args:
        style: "embossed" (raised characters), "dot_peen" (pressed dots), "printed" (ink on a metal
            plate) or "label" (a printed sticker); `PLATE_STYLES`.
    """
    if style not in PLATE_STYLES:
        raise ValueError(f"unknown plate style {style!r}; known: {', '.join(PLATE_STYLES)}")
    margin, rivets = rng.uniform(0.6, 1.0), style != "label" and rng.random() < 0.6
    cap = width * rng.uniform(0.035, 0.06)
    line = _plate_text(vin, rng, style, cap)
    while line.box[2] - line.box[0] + (2 * margin + 3.2 * rivets) * cap > 0.94 * width:  # keep it in frame
        cap *= 0.95 * 0.94 * width / (line.box[2] - line.box[0] + (2 * margin + 3.2 * rivets) * cap)
        line = _plate_text(vin, rng, style, cap)
    bx0, by0, bx1, by1 = line.box
    margin *= cap
    plate_w = int(bx1 - bx0 + 2 * margin + (3.2 * cap if rivets else 0))
    plate_h = int(by1 - by0 + 2 * margin)
    height = int(max(width * rng.uniform(0.4, 0.6), plate_h * 2.5))
    image = textures.dashboard(rng, height, width).astype(np.float32)
    px = int((width - plate_w) * rng.uniform(0.2, 0.8))
    py = int((height - plate_h) * rng.uniform(0.45, 0.8))
    plate, ink_grey, dark = materials.plate_stock(rng, style, plate_h, plate_w)
    tx, ty = round(margin + (1.6 * cap if rivets else 0) - bx0), round(margin - by0)
    if style == "embossed":
        face = (rng.uniform(200, 235),) * 3 if dark and rng.random() < 0.7 else None
        materials.relief(plate, line.mask, tx, ty, rng, depth=1.0, cap_height=cap, face_color=face, shine=0.35)
    elif style == "dot_peen":
        materials.relief(plate, line.mask, tx, ty, rng, depth=-1.0, cap_height=cap, groove_dark=0.5, shine=0.5)
    else:
        materials.print_ink(plate, line.mask, tx, ty, (ink_grey,) * 3)
    if rivets:
        dots = np.zeros((plate_h, plate_w), np.float32)
        for rx in (0.8 * cap, plate_w - 0.8 * cap):
            cv2.circle(dots, (int(rx), plate_h // 2), max(2, int(0.35 * cap)), 1.0, -1, cv2.LINE_AA)
        materials.relief(plate, dots, 0, 0, rng, depth=2.0, cap_height=cap, shine=0.6)
    alpha = textures.rounded_mask(plate_h, plate_w, round(0.25 * cap))
    image[py + 2 : py + plate_h + 2, px + 2 : px + plate_w + 2] *= np.float32(0.6)  # the plate's shadow
    region = image[py : py + plate_h, px : px + plate_w]
    materials.blend(region, plate, alpha[:, :, 0])
    if py > height * 0.25 and rng.random() < 0.6:
        materials.frit_band(rng, image[: int(py * rng.uniform(0.5, 0.95))], side="top")
    materials.glass(rng, image)
    image = materials.to_uint8(image)
    pad = 0.12 * (by1 - by0)
    polygon = vin_polygon((px + tx + bx0, py + ty + by0, px + tx + bx1, py + ty + by1), pad, image.shape)
    return Scene(image=image, vin=vin, polygon=polygon, kind="windshield_plate")


def _border_color(image: np.ndarray) -> np.ndarray:
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return edges.reshape(-1, 3).mean(axis=0)


def place_in_photo(
    scene: Scene,
    rng: np.random.Generator,
    *,
    photo_size: tuple[int, int] = (4000, 3000),
    angle: float = 0.0,
    fill: float | None = None,
    perspective: float = 0.0,
) -> Scene:
    """Put a scene into a phone-photo-sized frame, rotated by `angle` degrees (counter-clockwise).

    Args:
        scene: e.g. from `render_sticker`.
        rng: source of all randomness.
        photo_size: (width, height) of the photo.
        angle: rotation around the scene's centre, as in ``cv2.getRotationMatrix2D`` (90: the text
            reads bottom-to-top).
        fill: fraction of the photo the rotated scene's bounding box spans (its tighter side);
            None draws it from 0.5-0.8. The scene is rescaled to match.
        perspective: corner jitter as a fraction of the scene's size (0: none; ~0.05 is mild).

    Returns:
        A Scene of the photo with the polygon mapped by the same transform (still in reading order).
    """
    pw, ph = photo_size
    image, polygon, matrix = _photo_transform(scene, rng, photo_size, angle, fill, perspective)
    h, w = image.shape[:2]
    warped = _warp(image, matrix, (pw, ph))
    alpha = _warp(_feather(h, w, 0.07 * min(h, w)), matrix, (pw, ph)).astype(np.float32) / 255.0
    background = textures.photo_background(rng, ph, pw, _border_color(scene.image))
    photo = cv2.blendLinear(warped, background, alpha, 1.0 - alpha)
    photo = textures.lighting(rng, photo, amount=float(rng.uniform(0.05, 0.15)))
    photo = textures.camera(rng, photo, blur=0.0, noise=float(rng.uniform(1.5, 3.0)))
    polygon = cv2.perspectiveTransform(polygon[None].astype(np.float64), matrix)[0].astype(np.float32)
    return Scene(image=photo, vin=scene.vin, polygon=polygon, kind=f"{scene.kind}+photo")


def _photo_transform(
    scene: Scene,
    rng: np.random.Generator,
    photo_size: tuple[int, int],
    angle: float,
    fill: float | None,
    perspective: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rescaled scene image, its polygon, and the 3x3 matrix placing it in the photo."""
    (pw, ph), (h, w) = photo_size, scene.image.shape[:2]
    cos, sin = abs(np.cos(np.deg2rad(angle))), abs(np.sin(np.deg2rad(angle)))
    bw, bh = w * cos + h * sin, w * sin + h * cos  # bounding box of the rotated scene
    scale = (fill if fill is not None else rng.uniform(0.5, 0.8)) * min(pw / bw, ph / bh)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    image = cv2.resize(scene.image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    polygon = scene.polygon * np.array([size[0] / w, size[1] / h], np.float32)
    (h, w), bw, bh = image.shape[:2], bw * scale, bh * scale
    center = (bw / 2 + rng.uniform(0, max(pw - bw, 0)), bh / 2 + rng.uniform(0, max(ph - bh, 0)))
    matrix = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), [0, 0, 1]])
    matrix[:2, 2] += (center[0] - w / 2, center[1] - h / 2)
    if perspective > 0:
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        dst = cv2.perspectiveTransform(src[None].astype(np.float64), matrix)[0]
        dst += rng.uniform(-1, 1, (4, 2)) * perspective * min(w, h)
        matrix = cv2.getPerspectiveTransform(src, np.clip(dst, 0, [pw - 1, ph - 1]).astype(np.float32))
    return image, polygon, matrix


def _feather(h: int, w: int, ramp: float) -> np.ndarray:
    """uint8 alpha of a scene that fades to 0 over `ramp` pixels at its edges (hides the seam)."""
    ax = np.clip(np.minimum(np.arange(w), w - 1 - np.arange(w)) / max(ramp, 1.0), 0, 1)
    ay = np.clip(np.minimum(np.arange(h), h - 1 - np.arange(h)) / max(ramp, 1.0), 0, 1)
    return (np.minimum.outer(ay, ax) * 255).astype(np.uint8)


def _warp(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Warp with a 3x3 matrix: affine when it is one (cheaper), else perspective."""
    if np.allclose(matrix[2], [0, 0, 1]):
        return cv2.warpAffine(image, matrix[:2], size, flags=cv2.INTER_LINEAR)
    return cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_LINEAR)
