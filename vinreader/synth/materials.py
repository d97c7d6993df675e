"""What glyph masks are made of: ink, embossed or stamped relief, paint, bare steel, rust, glass.

All functions work on float32 RGB images in [0, 255] (cheaper to chain than uint8) and take every
random choice from the `rng` they are given. Relief is shaded from a height map: the mask is
blurred into a smooth surface, its normals are lit by a directional light (Lambert plus a Blinn
specular term), so stamped characters show a bright and a dark flank like real ones under a lamp.
"""

from __future__ import annotations

import cv2
import numpy as np

from vinreader.synth.textures import PAINTS, brushed_metal, gradient, label_stock, low_freq


def _region(image: np.ndarray, mask: np.ndarray, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
    """The part of `image` under `mask` placed at (x, y), and the matching part of the mask."""
    h, w = mask.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = max(min(x + w, image.shape[1]), x0), max(min(y + h, image.shape[0]), y0)
    return image[y0:y1, x0:x1], mask[y0 - y : y1 - y, x0 - x : x1 - x]


def blend(under: np.ndarray, over: np.ndarray, alpha: np.ndarray) -> None:
    """Put `over` on `under` in place through `alpha` ((h, w) float32 in [0, 1]); same-shape images."""
    under[:] = cv2.blendLinear(over, under, alpha, 1 - alpha)


def print_ink(image: np.ndarray, mask: np.ndarray, x: int, y: int, color, opacity: float = 1.0) -> None:
    """Print `mask` (coverage in [0, 1]) in `color` onto `image` in place at (x, y)."""
    region, cover = _region(image, mask, x, y)
    if cover.size == 0:
        return
    alpha = cover * np.float32(opacity) if opacity != 1 else cover
    paint = np.empty_like(region)
    paint[:] = np.asarray(color, np.float32)
    region[:] = cv2.blendLinear(paint, region, alpha, 1 - alpha)


def relief_shading(
    height: np.ndarray, light_angle: float, elevation: float = 35.0, softness: float = 1.5, gain: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """Diffuse change and specular highlight of a lit height map.

    Args:
        height: (h, w) float32; positive is raised, negative is pressed in.
        light_angle: direction the light comes from, degrees (0: from the right, 90: from above).
        elevation: the light's height above the surface, degrees (low: long, contrasty flanks).
        softness: Gaussian sigma in pixels smoothing the relief's edges.
        gain: slope exaggeration (how steep the flanks look).

    Returns:
        (diffuse, specular), both (h, w) float32: diffuse is the Lambert term minus that of a flat
        surface (negative in shadow), specular is in [0, 1].
    """
    smooth = cv2.GaussianBlur(height, (0, 0), max(softness, 0.3))
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) * np.float32(gain / 8)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) * np.float32(gain / 8)
    az, el = np.deg2rad(light_angle), np.deg2rad(elevation)
    # Image y grows downwards: a light "from above" has a negative y component.
    lx, ly, lz = np.cos(az) * np.cos(el), -np.sin(az) * np.cos(el), np.sin(el)
    norm = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    lambert = (-gx * np.float32(lx) - gy * np.float32(ly) + np.float32(lz)) * norm
    hx, hy, hz = lx, ly, lz + 1.0  # half vector with the viewer straight above
    hn = np.sqrt(hx * hx + hy * hy + hz * hz)
    spec = np.clip((-gx * np.float32(hx / hn) - gy * np.float32(hy / hn) + np.float32(hz / hn)) * norm, 0, 1)
    # Only what the relief adds: a flat surface's own highlight belongs to the surface's texture.
    return lambert - np.float32(lz), np.maximum(spec**24 - np.float32((hz / hn) ** 24), 0)


def relief(
    image: np.ndarray,
    mask: np.ndarray,
    x: int,
    y: int,
    rng: np.random.Generator,
    *,
    depth: float,
    cap_height: float,
    light_angle: float | None = None,
    face_color=None,
    groove_dark: float = 0.0,
    shine: float = 0.3,
) -> None:
    """Emboss (`depth` > 0) or stamp/engrave (`depth` < 0) `mask` into `image` in place at (x, y).

    Args:
        depth: relief height in units of the stroke: +1 a raised plate character, -1 a stamping.
        cap_height: the characters' cap height (sets how soft the flanks are).
        light_angle: light direction in degrees; None draws one from `rng` (mostly from above).
        face_color: paint on the raised face (or in the groove), e.g. white letters on a black plate.
        groove_dark: how much darker the bottom of a stamping is (dirt, shadow), 0..1.
        shine: strength of the specular highlight (bare metal: high; paint, plastic: low).
    """
    region, cover = _region(image, mask, x, y)
    if cover.size == 0:
        return
    angle = float(rng.normal(100, 35)) if light_angle is None else light_angle
    softness = max(0.6, cap_height * rng.uniform(0.02, 0.05))
    diffuse, spec = relief_shading(cover * np.float32(depth), angle, float(rng.uniform(25, 55)), softness)
    if face_color is not None:
        alpha = cover[:, :, None]
        region *= 1 - alpha
        region += alpha * np.asarray(face_color, np.float32)
    if groove_dark > 0:
        occlusion = cv2.GaussianBlur(cover, (0, 0), softness) * np.float32(groove_dark)
        region *= (1 - occlusion)[:, :, None]
    region *= (1 + 1.6 * diffuse)[:, :, None]
    region += (255 * shine * spec)[:, :, None]
    np.clip(region, 0, 255, out=region)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A float32 image in about [0, 255] as uint8 (clipped in place first)."""
    return np.clip(image, 0, 255, out=image).astype(np.uint8)


def painted_panel(rng: np.random.Generator, h: int, w: int, color) -> np.ndarray:
    """Painted steel: a colour with soft shading and a sheen from a light source (float32 RGB).

    Computed at quarter resolution: paint is smooth at the scale a VIN close-up shows it.
    """
    sh, sw = max(h // 4, 2), max(w // 4, 2)
    peel = rng.standard_normal((sh, sw), np.float32)
    shade = 1 + 0.12 * gradient(rng, sh, sw) + 0.06 * low_freq(rng, sh, sw, 5) + 0.015 * peel
    sheen = np.clip(low_freq(rng, sh, sw, 3), 0, 1) ** 3 * np.float32(rng.uniform(0, 70))
    small = np.asarray(color, np.float32)[None, None, :] * shade[:, :, None] + sheen[:, :, None]
    return cv2.resize(np.clip(small, 0, 255), (w, h), interpolation=cv2.INTER_LINEAR)


def bare_steel(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Ground or cast steel: grey, with grinding streaks in one direction and uneven tone."""
    level = rng.uniform(95, 170)
    streaks = rng.standard_normal((h // 2 + 1, w // 2 + 1), np.float32)
    streaks = cv2.resize(cv2.blur(streaks, (int(rng.integers(9, 31)), 1)), (w, h), cv2.INTER_LINEAR)
    if rng.random() < 0.5:  # a lathe or grinder pass at an angle
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-40, 40)), 1.2)
        streaks = cv2.warpAffine(streaks, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
    tone = level * (1 + 0.15 * gradient(rng, h, w) + 0.1 * low_freq(rng, h, w, 6)) + 9 * streaks
    tint = np.array([1.0, 1.0, rng.uniform(1.0, 1.06)], np.float32)
    return np.clip(tone[:, :, None] * tint, 0, 255)


def rust(rng: np.random.Generator, image: np.ndarray, amount: float) -> None:
    """Add rust patches in place covering roughly `amount` (0..1) of the image: brown to orange, pitted."""
    h, w = image.shape[:2]
    sh, sw = max(h // 2, 2), max(w // 2, 2)
    field = low_freq(rng, sh, sw, int(rng.integers(4, 9))) + 0.35 * low_freq(rng, sh, sw, int(rng.integers(12, 24)))
    grain = cv2.GaussianBlur(rng.standard_normal((sh, sw), np.float32), (0, 0), 1.0)
    cut = np.quantile(field[::4, ::4], 1 - amount)
    cover = np.clip((field - cut) * 3 + 0.3 * grain, 0, 1)
    tone = np.clip(0.5 + 0.5 * low_freq(rng, sh, sw, 10) + 0.25 * grain, 0, 1)[:, :, None]
    dark, orange = np.array([70, 38, 24], np.float32), np.array([165, 84, 38], np.float32)
    color = dark + (orange - dark) * tone
    cover = cv2.resize(cover, (w, h), interpolation=cv2.INTER_LINEAR)
    color = cv2.resize(color, (w, h), interpolation=cv2.INTER_LINEAR)
    blend(image, color, cover)


def scratches(rng: np.random.Generator, image: np.ndarray, count: int, bright: bool = True) -> None:
    """Draw `count` thin straight or slightly curved scratches in place (light on paint, dark on steel)."""
    h, w = image.shape[:2]
    layer = np.zeros((h, w), np.float32)
    for _ in range(count):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.05, 0.4) * w
        bend = rng.normal(0, 0.1)
        t = np.linspace(0, 1, 8)
        xs = x + np.cos(angle + bend * t) * length * t
        ys = y + np.sin(angle + bend * t) * length * t
        points = np.stack([xs, ys], axis=1).astype(np.int32)
        cv2.polylines(layer, [points], False, float(rng.uniform(0.2, 0.8)), 1, cv2.LINE_AA)
    sign = 1.0 if bright else -1.0
    image += (sign * 90 * layer)[:, :, None]
    np.clip(image, 0, 255, out=image)


def grime(rng: np.random.Generator, image: np.ndarray, amount: float) -> None:
    """Darken in place with blotchy dirt (`amount` 0..1 of the darkest blotches' strength)."""
    h, w = image.shape[:2]
    field = np.clip(low_freq(rng, h, w, int(rng.integers(4, 10))), 0, 1)
    image *= (1 - amount * field)[:, :, None]


def glass(rng: np.random.Generator, image: np.ndarray, tint=(0.92, 0.98, 0.95)) -> None:
    """Look through a windshield in place: a green-blue tint, a sky reflection, a few soft streaks."""
    h, w = image.shape[:2]
    sh, sw = h // 4 + 1, w // 4 + 1  # reflections are smooth: build them at quarter size
    sky = np.clip(low_freq(rng, sh, sw, 3) + gradient(rng, sh, sw) * 0.6, 0, None) * np.float32(rng.uniform(10, 90))
    streaks = np.zeros((sh, sw), np.float32)
    for _ in range(int(rng.integers(0, 4))):
        x0, x1 = rng.uniform(-0.2, 1.2, 2) * sw
        width = int(rng.integers(2, max(3, sw // 10)))
        cv2.line(streaks, (int(x0), 0), (int(x1), sh), float(rng.uniform(0.2, 1.0)), width)
    light = sky + cv2.GaussianBlur(streaks, (0, 0), 3) * np.float32(rng.uniform(20, 90))
    light = cv2.resize(light[:, :, None] * np.array([0.9, 0.95, 1.0], np.float32), (w, h), cv2.INTER_LINEAR)
    image *= np.asarray(tint, np.float32) * np.float32(rng.uniform(0.8, 1.0))
    image += light
    np.clip(image, 0, 255, out=image)


def frit_band(rng: np.random.Generator, image: np.ndarray, side: str = "bottom") -> None:
    """The black ceramic band at a windshield's edge: solid, then a halftone of shrinking dots."""
    h, w = image.shape[:2]
    pitch = float(rng.uniform(0.02, 0.04) * w)
    solid, fade = rng.uniform(0.03, 0.12) * h, rng.uniform(0.1, 0.25) * h
    layer = np.zeros((h, w), np.uint8)
    ys = np.arange(pitch / 2, fade + solid, pitch)
    for row, d in enumerate(ys):
        r = np.clip(1 - (d - solid) / fade, 0, 1) * pitch * 0.6 if d > solid else pitch
        if r < 0.6:
            continue
        cy = h - 1 - d if side == "bottom" else d
        for cx in np.arange((row % 2) * pitch / 2, w + pitch, pitch):
            cv2.circle(layer, (int(cx * 4), int(cy * 4)), int(r * 4), 255, -1, cv2.LINE_AA, shift=2)
    band = int(solid) if side == "bottom" else 0
    if side == "bottom":
        layer[h - band :] = 255
    else:
        layer[: int(solid)] = 255
    alpha = layer.astype(np.float32)[:, :, None] * np.float32(1 / 255)
    image *= 1 - alpha
    image += alpha * np.float32(rng.uniform(8, 22))


def door_pillar(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A door pillar around a label: paint, sometimes a bend in the metal and a rubber seal."""
    image = painted_panel(rng, h, w, PAINTS[int(rng.integers(len(PAINTS)))])
    if rng.random() < 0.5:  # a bend in the sheet metal: one side darker
        at = int(rng.uniform(0.02, 0.2) * (w if rng.random() < 0.5 else h))
        side = image[:, :at] if rng.random() < 0.5 else image[:at]
        side *= np.float32(rng.uniform(0.55, 0.85))
    if rng.random() < 0.4:  # a rubber seal along one edge
        at = int(rng.uniform(0.03, 0.1) * w)
        image[:, w - at :] = rng.uniform(12, 30) + 8 * low_freq(rng, h, at, 3)[:, :, None]
    return image


def plate_stock(rng: np.random.Generator, style: str, h: int, w: int) -> tuple[np.ndarray, float, bool]:
    """A VIN plate's material for a `render.PLATE_STYLES` style as float32 RGB, the grey of ink printed
    on it, and whether it is dark (anodised or painted black)."""
    dark = rng.random() < (0.7 if style == "printed" else 0.35)
    if style == "label":
        return label_stock(rng, "white" if rng.random() < 0.7 else "silver", h, w), 25.0, False
    level = rng.uniform(25, 70) if dark else rng.uniform(140, 200)
    plate = brushed_metal(rng, h, w, level).astype(np.float32)
    return plate, (rng.uniform(190, 235) if dark else rng.uniform(15, 45)), dark
