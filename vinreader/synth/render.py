"""Render VIN labels: door-jamb stickers, windshield plates, and phone photos of them.

Every function takes a `numpy.random.Generator` and draws all its randomness from it, so a seed
gives identical images. Sizes are in pixels at ``width=900`` and scale with `width`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vinreader.synth import textures
from vinreader.synth.layout import (
    BARCODES,
    barcode_image,
    draw_rows,
    draw_text,
    font,
    sticker_rows,
    text_width,
)

VIN_FONTS = ("DejaVuSansCondensed-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSans-Bold.ttf")


@dataclass(frozen=True, eq=False)
class Scene:
    """A rendered image and where its VIN is.

    Attributes:
        image: (H, W, 3) uint8 RGB.
        vin: the VIN printed in the image.
        polygon: (4, 2) float32 corners of the VIN text line in image pixels, in reading order
            (the text's top-left, top-right, bottom-right, bottom-left: clockwise).
        kind: "sticker", "plate", or "<kind>+photo" after `place_in_photo`.
    """

    image: np.ndarray
    vin: str
    polygon: np.ndarray
    kind: str


def _box_polygon(box: tuple[float, float, float, float], pad: float) -> np.ndarray:
    x0, y0, x1, y1 = box
    pts = [(x0 - pad, y0 - pad), (x1 + pad, y0 - pad), (x1 + pad, y1 + pad), (x0 - pad, y1 + pad)]
    return np.array(pts, dtype=np.float32)


def render_sticker(
    vin: str,
    rng: np.random.Generator,
    *,
    width: int = 900,
    barcode: str | None = None,
    font: str | None = None,
) -> Scene:
    """A door-jamb label (maker, masses, approval or FMVSS text, VIN, optional barcode) on paint.

    Args:
        vin: the VIN to print (and encode in the barcode).
        rng: source of all randomness.
        width: image width in pixels; the height follows from the label's content.
        barcode: "Code39" (below the VIN line), "DataMatrix" (top-right corner) or None.
        font: VIN font, a DejaVu file name or a path to a TTF file; None picks a bold one.
    """
    if barcode not in (None, *BARCODES):
        raise ValueError(f"unknown barcode {barcode!r}; known: {sorted(BARCODES)}")
    s = width / 900
    label_w = int(width * rng.uniform(0.8, 0.9))
    ink = tuple(int(v) for v in rng.uniform(15, 40) + rng.integers(-8, 9, 3))  # near-black, tinted
    vin_font = font if font is not None else str(rng.choice(VIN_FONTS))
    dm = None
    if barcode == "DataMatrix":
        dm = barcode_image(vin, barcode, module=max(2, round(rng.uniform(5, 7) * s)))
    rows = sticker_rows(vin, rng, vin_font, code39=barcode == "Code39")
    canvas = Image.new("L", (label_w, int(width * 1.5)), 0)  # ink coverage, cropped below
    vin_box, label_h = draw_rows(canvas, rows, s, dm)
    coverage = np.asarray(canvas, dtype=np.float32)[:label_h, :, None] / 255.0
    paper = textures.paper(rng, label_h, label_w)
    label = (paper * (1 - coverage) + np.array(ink, np.float32) * coverage).astype(np.uint8)
    margin_y = round(rng.uniform(40, 90) * s)
    x = (width - label_w) // 2 + int(rng.integers(-10, 11) * s)
    image = textures.painted_metal(rng, label_h + 2 * margin_y, width)
    textures.drop_shadow(image, (x, margin_y, label_w, label_h), blur=5 * s)
    textures.paste(image, label, textures.rounded_mask(label_h, label_w, round(10 * s)), x, margin_y)
    image = textures.camera(rng, image, blur=float(rng.uniform(0.3, 0.6)), noise=float(rng.uniform(1.5, 3.5)))
    polygon = _box_polygon(vin_box, 3 * s) + np.array([x, margin_y], np.float32)
    return Scene(image=image, vin=vin, polygon=polygon, kind="sticker")


def _emboss(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    vin: str,
    fnt,
    grey: tuple[int, int, int],
    s: float,
    tracking: float,
) -> tuple[float, float, float, float]:
    """Raised characters: a light copy up-left, a dark copy down-right, the face on top."""
    depth = max(1.0, 2.0 * s)
    light, dark, face = grey
    for (dx, dy), g in (((-depth, -depth), light), ((depth, depth), dark)):
        draw_text(draw, (xy[0] + dx, xy[1] + dy), vin, fnt, (g,) * 3, tracking)
    return draw_text(draw, xy, vin, fnt, (face,) * 3, tracking)


def render_plate(vin: str, rng: np.random.Generator, *, width: int = 900) -> Scene:
    """A riveted metal VIN plate with embossed characters on a dark dashboard, with modest glare."""
    s = width / 900
    height = int(width * rng.uniform(0.3, 0.4))
    image = textures.dashboard(rng, height, width)
    size = rng.uniform(40, 48) * s
    fnt = font(str(rng.choice(VIN_FONTS[:2])), round(size))
    tracking = rng.uniform(0.0, 0.08) * size
    plate_w, plate_h = int(text_width(vin, fnt, tracking) + 4.2 * size), int(size * 1.9)
    px = (width - plate_w) // 2 + int(rng.integers(-20, 21) * s)
    py = (height - plate_h) // 2 + int(rng.integers(-15, 16) * s)
    dark = rng.random() < 0.5  # dark anodised plate with bright raised letters, else bare aluminium
    level = rng.uniform(58, 82) if dark else rng.uniform(160, 190)
    plate = textures.brushed_metal(rng, plate_h, plate_w, level)
    textures.paste(image, plate, textures.rounded_mask(plate_h, plate_w, round(8 * s)), px, py)
    canvas = Image.fromarray(image)
    draw = ImageDraw.Draw(canvas)
    for rx in (px + size, px + plate_w - size):  # rivets
        r, cy = 0.28 * size, py + plate_h / 2
        draw.ellipse((rx - r, cy - r, rx + r, cy + r), fill=(int(level * 0.6),) * 3)
        draw.ellipse((rx - r * 0.7, cy - r * 0.8, rx + r * 0.5, cy + r * 0.4), fill=(int(level + 50),) * 3)
    face = int(rng.uniform(185, 215) if dark else rng.uniform(60, 85))
    origin = (px + 2.1 * size, py + (plate_h - size * 1.16) / 2)
    box = _emboss(draw, origin, vin, fnt, (235, 12, face), s, tracking)
    image = textures.glare(rng, np.asarray(canvas), strength=float(rng.uniform(0.08, 0.22)))
    image = textures.camera(rng, image, blur=float(rng.uniform(0.4, 0.7)), noise=float(rng.uniform(2, 4)))
    return Scene(image=image, vin=vin, polygon=_box_polygon(box, 4 * s), kind="plate")


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
