"""Backgrounds and photographic effects for synthetic labels (uint8 RGB arrays, all from one rng)."""

from __future__ import annotations

import cv2
import numpy as np

# Common car paints (RGB): white, silver, grey, black, red, blue, dark green, beige.
PAINTS = (
    (225, 226, 228),
    (168, 172, 176),
    (96, 99, 104),
    (28, 29, 32),
    (150, 22, 26),
    (28, 58, 118),
    (32, 70, 52),
    (196, 182, 152),
)


def low_freq(rng: np.random.Generator, h: int, w: int, cells: int = 4) -> np.ndarray:
    """Smooth random field in [-1, 1] of shape (h, w), from a coarse grid upsampled bicubically."""
    grid = rng.uniform(-1.0, 1.0, (cells, cells)).astype(np.float32)
    return np.clip(cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC), -1.0, 1.0)


def gradient(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A linear ramp in [-1, 1] of shape (h, w) in a random direction."""
    theta = rng.uniform(0, 2 * np.pi)
    xs = np.arange(w, dtype=np.float32)[None, :] / max(w, 1)
    ys = np.arange(h, dtype=np.float32)[:, None] / max(h, 1)
    ramp = np.float32(np.cos(theta)) * xs + np.float32(np.sin(theta)) * ys
    return (ramp - ramp.mean()) / max(float(np.abs(ramp - ramp.mean()).max()), 1e-6)


def add_noise(rng: np.random.Generator, image: np.ndarray, sigma: float) -> np.ndarray:
    """Add Gaussian sensor noise (same on all channels, like luminance noise) and clip to uint8."""
    noise = rng.normal(0.0, sigma, image.shape[:2]).astype(np.float32)
    return np.clip(image.astype(np.float32) + noise[:, :, None], 0, 255).astype(np.uint8)


def painted_metal(rng: np.random.Generator, h: int, w: int, paint: tuple[int, int, int] | None = None) -> np.ndarray:
    """Painted sheet metal: flat colour, a light gradient, blotchy shading and fine noise."""
    base = np.array(paint if paint is not None else PAINTS[int(rng.integers(len(PAINTS)))], np.float32)
    shade = 1.0 + 0.1 * gradient(rng, h, w) + 0.05 * low_freq(rng, h, w, cells=5)
    image = np.clip(base[None, None, :] * shade[:, :, None] + 12 * (shade[:, :, None] - 1), 0, 255)
    return add_noise(rng, image.astype(np.uint8), sigma=float(rng.uniform(2.0, 5.0)))


def dashboard(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Dark grained dashboard plastic seen through a windshield (grain at half, shading at 1/8 size)."""
    level = float(rng.uniform(22, 48))
    grain = cv2.GaussianBlur(rng.standard_normal((h // 2 + 1, w // 2 + 1), np.float32), (0, 0), 0.6) * 10
    sh, sw = max(h // 8, 2), max(w // 8, 2)
    shade = cv2.resize(level * (1 + 0.25 * gradient(rng, sh, sw)), (w, h), interpolation=cv2.INTER_LINEAR)
    shade += cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR)
    tint = np.array([1.0, 1.0, rng.uniform(1.0, 1.12)], np.float32)
    return np.clip(shade[:, :, None] * tint, 0, 255).astype(np.uint8)


def glare(rng: np.random.Generator, image: np.ndarray, strength: float) -> np.ndarray:
    """Brighten an elliptical soft spot (a reflection), `strength` in 0..1 of full white."""
    h, w = image.shape[:2]
    cy, cx = rng.uniform(0.1, 0.9) * h, rng.uniform(0.1, 0.9) * w
    ry, rx = rng.uniform(0.2, 0.5) * h, rng.uniform(0.15, 0.4) * w
    ys, xs = np.ogrid[0:h, 0:w]
    spot = np.exp(-(((ys - cy) / ry) ** 2 + ((xs - cx) / rx) ** 2)).astype(np.float32)
    out = image.astype(np.float32)
    out += strength * spot[:, :, None] * (255 - out)
    return np.clip(out, 0, 255).astype(np.uint8)


def photo_background(rng: np.random.Generator, h: int, w: int, color: np.ndarray) -> np.ndarray:
    """A large surface around a label (door frame / dashboard) near `color`, with uneven light."""
    base = np.clip(np.asarray(color, np.float32) * rng.uniform(0.95, 1.05), 0, 255)
    # Work at 1/4 size and upsample: cheap for 12 MP photos, and real surfaces are smooth anyway.
    sh, sw = max(h // 4, 2), max(w // 4, 2)
    shade = 1.0 + 0.25 * gradient(rng, sh, sw) + 0.08 * low_freq(rng, sh, sw, cells=6)
    small = np.clip(base[None, None, :] * shade[:, :, None] + rng.normal(0, 2.5, (sh, sw, 1)), 0, 255)
    return cv2.resize(small.astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)


def camera(rng: np.random.Generator, image: np.ndarray, blur: float, noise: float) -> np.ndarray:
    """Mild lens blur and sensor noise, as from a phone camera."""
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return add_noise(rng, image, noise) if noise > 0 else image


def paper(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Label stock: matte white, or silver polyester with a brushed horizontal sheen."""
    if rng.random() < 0.5:
        field = rng.uniform(236, 250) + 3 * gradient(rng, h, w)
    else:
        brushed = cv2.blur(rng.normal(0, 6, (h, w)).astype(np.float32), (41, 1))
        field = rng.uniform(196, 214) + 14 * gradient(rng, h, w) + brushed
    tint = np.array([1.0, 1.0, rng.uniform(0.98, 1.02)], np.float32)
    return np.clip(field[:, :, None] * tint, 0, 255).astype(np.uint8)


def brushed_metal(rng: np.random.Generator, h: int, w: int, level: float) -> np.ndarray:
    """Brushed aluminium around grey `level`: horizontal streaks and a light gradient."""
    brushed = cv2.blur(rng.normal(0, 7, (h, w)).astype(np.float32), (31, 1))
    plate = np.clip(level + brushed + 10 * gradient(rng, h, w), 0, 255).astype(np.uint8)
    return np.repeat(plate[:, :, None], 3, axis=2)


def rounded_mask(h: int, w: int, radius: int) -> np.ndarray:
    """(h, w, 1) float32 alpha of a rounded rectangle filling the whole patch."""
    mask = np.zeros((h, w), np.uint8)
    r = max(1, min(radius, h // 2, w // 2))
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, lineType=cv2.LINE_AA)
    return mask.astype(np.float32)[:, :, None] / 255.0


def paste(background: np.ndarray, patch: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend `patch` onto `background` in place at (x, y) through `mask` in [0, 1]."""
    h, w = patch.shape[:2]
    region = background[y : y + h, x : x + w].astype(np.float32)
    background[y : y + h, x : x + w] = (patch * mask + region * (1 - mask)).astype(np.uint8)


def drop_shadow(image: np.ndarray, box: tuple[int, int, int, int], blur: float) -> None:
    """Darken, in place, a soft shadow under a label about to be pasted at box = (x, y, w, h)."""
    x, y, w, h = box
    shade = np.zeros(image.shape[:2], np.float32)
    off = max(1, int(blur / 2))
    shade[y + off : y + h + off, x + off : x + w + off] = 0.45
    shade = cv2.GaussianBlur(shade, (0, 0), blur)[:, :, None]
    image[:] = (image * (1 - shade)).astype(np.uint8)


def lighting(rng: np.random.Generator, image: np.ndarray, amount: float) -> np.ndarray:
    """Uneven illumination over a whole photo: multiply by a smooth field of +-`amount`."""
    h, w = image.shape[:2]
    sh, sw = max(h // 8, 2), max(w // 8, 2)
    small = 1.0 + amount * (0.7 * gradient(rng, sh, sw) + 0.3 * low_freq(rng, sh, sw, cells=3))
    field = cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(image, cv2.merge([field] * 3), dtype=cv2.CV_8U)


STOCKS = ("white", "silver", "cream", "black")


def label_stock(rng: np.random.Generator, stock: str, h: int, w: int) -> np.ndarray:
    """Label material as float32 RGB: matte white, brushed silver foil, aged cream, or glossy black."""
    if stock not in STOCKS:
        raise ValueError(f"unknown label stock {stock!r}; known: {', '.join(STOCKS)}")
    sh, sw = max(h // 4, 2), max(w // 4, 2)
    shade = gradient(rng, sh, sw)
    if stock == "silver":
        field = rng.uniform(185, 215) + 16 * shade
        tint = (1.0, 1.0, rng.uniform(1.0, 1.04))
    elif stock == "black":
        field = rng.uniform(12, 30) + 6 * shade
        tint = (1.0, 1.0, rng.uniform(1.0, 1.1))
    else:
        field = (rng.uniform(232, 250) if stock == "white" else rng.uniform(215, 235)) + 4 * shade
        tint = (1.0, 1.0, 1.0) if stock == "white" else (1.0, rng.uniform(0.95, 0.98), rng.uniform(0.8, 0.88))
    small = np.clip(field[:, :, None] * np.asarray(tint, np.float32), 0, 255).astype(np.float32)
    image = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if stock == "silver":  # brushed foil: fine horizontal streaks
        streaks = cv2.resize(rng.standard_normal((h, w // 16 + 1), np.float32), (w, h), cv2.INTER_LINEAR)
        image += (4 * streaks)[:, :, None]
    return image


def sheen(rng: np.random.Generator, h: int, w: int, strength: float) -> np.ndarray:
    """A soft bright band across a glossy surface (a window's reflection), (h, w, 1) float32 to add."""
    sh, sw = max(h // 4, 2), max(w // 4, 2)
    theta = rng.uniform(0, np.pi)
    xs = np.arange(sw, dtype=np.float32)[None, :] / sw
    ys = np.arange(sh, dtype=np.float32)[:, None] / sh
    d = np.float32(np.cos(theta)) * xs + np.float32(np.sin(theta)) * ys - np.float32(rng.uniform(0.1, 1.1))
    band = np.exp(-((d / np.float32(rng.uniform(0.05, 0.25))) ** 2)) * np.float32(strength * 255)
    return cv2.resize(band, (w, h), interpolation=cv2.INTER_LINEAR)[:, :, None]


def document_paper(rng: np.random.Generator, h: int, w: int, tint) -> np.ndarray:
    """Security paper as float32 RGB: a pale tint with uneven tone and fine guilloche waves in it."""
    tint = np.asarray(tint, np.float32)
    base = 255 - (255 - tint) * np.float32(rng.uniform(0.08, 0.2))
    sh, sw = max(h // 4, 2), max(w // 4, 2)
    tone = 1 + 0.03 * low_freq(rng, sh, sw)
    image = cv2.resize(tone[:, :, None] * base, (w, h), interpolation=cv2.INTER_LINEAR)
    line = base + (tint - base) * np.float32(rng.uniform(0.15, 0.4))
    xs = np.linspace(0, w, 120)
    period, amp = rng.uniform(0.05, 0.15) * w, rng.uniform(0.005, 0.02) * h
    for k in range(int(rng.integers(15, 40))):
        ys = rng.uniform(0, h) + amp * np.sin(2 * np.pi * xs / period + k * 0.4) * np.cos(np.pi * xs / (3 * period))
        cv2.polylines(image, [np.stack([xs, ys], 1).astype(np.int32)], False, line.tolist(), 1)
    return image


def desk(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A table top under a document (wood, laminate or cloth), float32 RGB, smooth at close range."""
    sh, sw = max(h // 4, 2), max(w // 4, 2)
    color = np.array(((120, 80, 50), (200, 200, 195), (60, 62, 70), (170, 140, 100))[int(rng.integers(4))], np.float32)
    grain = cv2.blur(rng.standard_normal((sh, sw), np.float32), (int(rng.integers(9, 25)), 1))
    shade = 1 + 0.15 * gradient(rng, sh, sw) + 0.08 * grain
    small = np.clip(color * shade[:, :, None], 0, 255)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
