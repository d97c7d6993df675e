"""Camera effects for synthetic scenes: a close-up scene becomes a phone photo, or a recognizer crop.

All effects are `albumentations` transforms run with the VIN polygon as keypoints, so the polygon
follows every geometric change (rotation, shear, perspective, crop). Each call builds its
`albumentations.Compose` with a seed drawn from the caller's `numpy.random.Generator`: the same
generator state gives the same pixels, whichever process runs it.

Example:
    >>> import numpy as np
    >>> from vinreader.synth.scenes import render_scene
    >>> rng = np.random.default_rng(0)
    >>> photo = photo_from_scene(render_scene("door_sticker", rng), rng, out_size=(1024, 768))
    >>> crop = recognition_crop(photo, rng, height=32)  # the VIN line as a detector would cut it
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

# albumentations looks for a newer release on PyPI when imported; the generator never goes online.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import albumentations as A  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402

from vinreader.lines import crop_line  # noqa: E402
from vinreader.vin import VIN_LENGTH  # noqa: E402

if TYPE_CHECKING:
    from vinreader.synth.render import Scene

# Phone-photo shapes (width, height), long side 1024: what a detector is trained and run at.
PHOTO_SIZES = ((1024, 768), (768, 1024), (1024, 576), (576, 1024), (1024, 1024))
MIN_VIN_FRACTION, MAX_VIN_FRACTION = 0.04, 0.9  # VIN line length / photo width
_FIT = 0.9  # the rotated VIN line's bounding box stays within this fraction of the photo
_KEYPOINTS = A.KeypointParams(format="xy", remove_invisible=False)


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**32))


def line_metrics(polygon: np.ndarray) -> tuple[float, float, float]:
    """(length, height, angle in degrees, counter-clockwise) of a reading-order line quad."""
    p = np.asarray(polygon, np.float64)
    length = (np.linalg.norm(p[1] - p[0]) + np.linalg.norm(p[2] - p[3])) / 2
    height = (np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2
    direction = (p[1] - p[0]) + (p[2] - p[3])
    return float(length), float(height), float(np.degrees(np.arctan2(-direction[1], direction[0])))


def sample_angle(rng: np.random.Generator) -> float:
    """Photo rotation in degrees (counter-clockwise): mostly within +-5, some to +-90, some upside down."""
    draw = rng.random()
    if draw < 0.7:
        return float(rng.uniform(-5, 5))
    if draw < 0.82:
        return float(rng.choice([-1, 1]) * rng.uniform(5, 30))
    if draw < 0.9:
        return float(rng.choice([-1, 1]) * rng.uniform(30, 90))
    if draw < 0.95:  # phone held sideways
        return float(rng.choice([-90, 90]) + rng.uniform(-4, 4))
    return float(180 + rng.uniform(-5, 5))


def sample_vin_fraction(rng: np.random.Generator) -> float:
    """VIN line length as a fraction of photo width: 15% far away (4-15%), the rest 15-90%.

    Real phone photos of VINs mostly show it at 15-50% of the width; the far ones teach the detector
    small text, beyond which a crop is not readable anyway.
    """
    if rng.random() < 0.15:
        return float(np.exp(rng.uniform(np.log(MIN_VIN_FRACTION), np.log(0.15))))
    return float(rng.uniform(0.15, MAX_VIN_FRACTION))


def _background(scene_image: np.ndarray, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """What surrounds a far-away scene: its own colours blurred beyond legibility, shaded, with edges.

    Drawn at a quarter of the size and enlarged: it is out of focus, and it is four times cheaper.
    """
    small_w, small_h = -(-width // 4), -(-height // 4)
    tiny = cv2.resize(scene_image, (8, 8), interpolation=cv2.INTER_AREA)
    tiny = tiny[:, ::-1] if rng.random() < 0.5 else tiny  # not a copy of the scene's own layout
    field = cv2.resize(tiny, (small_w, small_h), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    field *= rng.uniform(0.7, 1.2)  # the surroundings are rarely lit like the label
    ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    for _ in range(int(rng.integers(1, 3))):
        # A door frame, pillar or dashboard edge: a straight boundary between two shades, with a gap.
        theta = rng.uniform(0, np.pi)
        distance = np.cos(theta) * (xs - small_w / 2) + np.sin(theta) * (ys - small_h / 2)
        distance -= rng.uniform(-0.5, 0.5) * max(small_w, small_h)
        field[distance > 0] *= rng.uniform(0.45, 0.95)
        field[np.abs(distance) < rng.uniform(0.5, 2.0)] *= 0.5
    field = np.clip(field, 0, 255).astype(np.uint8)
    return cv2.resize(field, (width, height), interpolation=cv2.INTER_LINEAR)


def _feather(height: int, width: int, ramp: float) -> np.ndarray:
    """float32 alpha that fades from 1 inside to 0 at the edges over `ramp` pixels (hides the seam)."""
    ax = np.clip(np.minimum(np.arange(width), width - 1 - np.arange(width)) / max(ramp, 1.0), 0, 1)
    ay = np.clip(np.minimum(np.arange(height), height - 1 - np.arange(height)) / max(ramp, 1.0), 0, 1)
    return np.minimum.outer(ay, ax).astype(np.float32)


def _canvas(
    scene: Scene, rng: np.random.Generator, scale: float, center: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The scene scaled by `scale`, its VIN centre at `center`, on a background of `size` (w, h).

    Scaling and pasting is compositing, not an effect: the polygon maps by the same scale and offset.
    """
    width, height = size
    h, w = scene.image.shape[:2]
    scaled_size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(scene.image, scaled_size, interpolation=interpolation)
    factors = np.array([scaled_size[0] / w, scaled_size[1] / h])
    polygon = np.asarray(scene.polygon, np.float64) * factors
    offset = np.round(center - polygon.mean(axis=0)).astype(int)
    canvas = _background(scene.image, rng, width, height)
    # The part of the scaled scene that falls on the canvas.
    x0, y0 = max(offset[0], 0), max(offset[1], 0)
    x1, y1 = min(offset[0] + scaled_size[0], width), min(offset[1] + scaled_size[1], height)
    if x1 > x0 and y1 > y0:
        alpha = _feather(scaled_size[1], scaled_size[0], 0.05 * min(scaled_size))
        sx, sy = x0 - offset[0], y0 - offset[1]
        part = scaled[sy : sy + y1 - y0, sx : sx + x1 - x0].astype(np.float32)
        a = alpha[sy : sy + y1 - y0, sx : sx + x1 - x0, None]
        canvas[y0:y1, x0:x1] = (part * a + canvas[y0:y1, x0:x1] * (1 - a)).astype(np.uint8)
    return canvas, polygon + offset


def camera_effects(rng: np.random.Generator, size: tuple[int, int]) -> list[A.BasicTransform]:
    """Light, lens, sensor and compression effects of a phone photo of `size` (w, h)."""
    short = min(size)
    return [
        A.RandomShadow(
            shadow_roi=(0, 0, 1, 1),
            num_shadows_limit=(1, 2),
            shadow_intensity_range=(0.2, 0.6),
            p=0.25,
        ),
        A.RandomSunFlare(  # glare on glass, plastic or a glossy label
            flare_roi=(0, 0, 1, 1),
            src_radius=int(short * rng.uniform(0.1, 0.3)),
            num_flare_circles_range=(1, 5),
            p=0.12,
        ),
        A.RandomBrightnessContrast(brightness_limit=(-0.3, 0.15), contrast_limit=(-0.4, 0.15), p=0.5),
        A.RandomGamma(gamma_limit=(100, 260), p=0.2),  # > 100 darkens: low light
        A.PlanckianJitter(p=0.2),  # white balance
        A.OneOf(
            [
                A.GaussianBlur(sigma_limit=(0.4, 1.8)),
                A.MotionBlur(blur_limit=(3, 9)),
                A.Defocus(radius=(1, 3), alias_blur=(0.1, 0.3)),
            ],
            p=0.45,
        ),
        A.Downscale(scale_range=(0.35, 0.8), p=0.15),  # a low-resolution camera or a digital zoom
        A.GaussNoise(std_range=(0.01, 0.06), noise_scale_factor=0.5, p=0.4),
        A.ImageCompression(quality_range=(30, 90), p=0.5),
    ]


def photo_from_scene(
    scene: Scene,
    rng: np.random.Generator,
    *,
    out_size: tuple[int, int] | None = None,
) -> Scene:
    """A phone photo of `scene`: placed, scaled, rotated, skewed, lit and degraded like a real one.

    The VIN line spans 4-90% of the photo width (a far-away scene sits on a background made from its
    own blurred colours), rotation is mostly within 5 degrees with some up to 90 and upside down, and
    the polygon stays in reading order and inside the photo.

    Args:
        scene: a close-up with the VIN polygon, e.g. from `vinreader.synth.scenes.render_scene`.
        rng: source of all randomness.
        out_size: (width, height) of the photo; None picks one of `PHOTO_SIZES`.

    Returns:
        A Scene of the same kind with the photo and the polygon in photo pixels.
    """
    width, height = out_size or PHOTO_SIZES[int(rng.integers(len(PHOTO_SIZES)))]
    angle = sample_angle(rng)
    scale, center, canvas_size = _placement(scene.polygon, rng, angle, width, height)
    canvas, polygon = _canvas(scene, rng, scale, center, canvas_size)
    for attempt in range(4):
        # Shear and perspective may push the line out of the photo: try again, the last time with the
        # rotation alone, which keeps it inside by construction.
        geometry = _geometry(rng, angle, width, height, calm=attempt == 3)
        compose = A.Compose(
            geometry + camera_effects(rng, (width, height)), keypoint_params=_KEYPOINTS, seed=_seed(rng)
        )
        out = compose(image=canvas, keypoints=polygon)
        moved = np.asarray(out["keypoints"], np.float64)[:, :2]
        if _inside(moved, width, height):
            break
    clipped = np.clip(moved, 0, [width - 1, height - 1]).astype(np.float32)
    return dataclasses.replace(scene, image=np.ascontiguousarray(out["image"]), polygon=clipped)


def _placement(
    polygon: np.ndarray, rng: np.random.Generator, angle: float, width: int, height: int
) -> tuple[float, np.ndarray, tuple[int, int]]:
    """How to lay the scene out before rotating it by `angle` and cutting the photo out of the middle.

    Returns:
        The scene's scale, where its VIN centre goes on the canvas, and the canvas (width, height).
    """
    length, line_h, _ = line_metrics(polygon)
    cos, sin = abs(np.cos(np.radians(angle))), abs(np.sin(np.radians(angle)))
    target = sample_vin_fraction(rng) * width
    # Shrink the line if, rotated, it would not fit in the photo.
    aspect = line_h / length
    span_w, span_h = target * (cos + aspect * sin), target * (sin + aspect * cos)  # rotated line's box
    scale = target * min(_FIT * width / span_w, _FIT * height / span_h, 1.0) / length
    box_w, box_h = scale * (length * cos + line_h * sin), scale * (length * sin + line_h * cos)
    room = np.array([width - box_w, height - box_h]) / 2 - 2  # >= 3% of the photo, as _FIT <= 0.9
    offset = rng.uniform(-1, 1, 2) * room  # of the VIN centre from the photo's centre
    # The canvas holds the photo both upright (Affine keeps the canvas size) and rotated back, with
    # room for shear and perspective.
    margin = 1.15
    canvas_w = int(np.ceil(max(width, width * cos + height * sin) * margin))
    canvas_h = int(np.ceil(max(height, height * cos + width * sin) * margin))
    # The photo is the canvas's centre: the VIN centre is its offset rotated back by `angle`.
    rad = np.radians(angle)
    back = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]])  # inverse of cv2's CCW
    center = back @ offset + np.array([(canvas_w - 1) / 2, (canvas_h - 1) / 2])
    return float(scale), center, (canvas_w, canvas_h)


def _geometry(
    rng: np.random.Generator,
    angle: float,
    width: int,
    height: int,
    calm: bool,
) -> list[A.BasicTransform]:
    """Rotation by `angle`, shear and perspective (none when `calm`), then the photo's window."""
    strong = not calm and rng.random() < 0.15
    return [
        A.Affine(
            rotate=(angle, angle),
            shear=0 if calm else (-12, 12) if strong else (-4, 4),
            border_mode=cv2.BORDER_REPLICATE,  # reflecting borders would also reflect the keypoints
            p=1.0,
        ),
        A.Perspective(
            scale=(0.01, 0.08 if strong else 0.04),
            border_mode=cv2.BORDER_REPLICATE,
            p=0 if calm else 0.5,
        ),
        A.CenterCrop(height=height, width=width),
    ]


def _inside(points: np.ndarray, width: int, height: int, margin: float = 1.0) -> bool:
    return bool((points >= margin).all() and (points <= [width - 1 - margin, height - 1 - margin]).all())


def crop_quad(polygon: np.ndarray, rng: np.random.Generator, *, max_angle: float = 3.0) -> np.ndarray:
    """Where a detector would cut the VIN line: a quad (reading order) that always holds `polygon`.

    Tight or loose: 0-60% of the line height above and below (neighbouring lines bleed in), 0-1
    character widths before and after, tilted by up to `max_angle` degrees, corners jittered outwards.
    It never cuts into the line: every corner of `polygon` is inside the quad.
    """
    p = np.asarray(polygon, np.float64)
    length, line_h, angle = line_metrics(p)
    char_w = length / VIN_LENGTH
    tilt = 0.0 if rng.random() < 0.35 else float(np.clip(rng.normal(0, max_angle / 2), -max_angle, max_angle))
    rad = np.radians(angle + tilt)
    along = np.array([np.cos(rad), -np.sin(rad)])  # reading direction (image y points down)
    across = np.array([-along[1], along[0]])  # from the top of the text to its bottom
    a, b = p @ along, p @ across
    tight = rng.random() < 0.3
    vertical = rng.uniform(0, 0.1 if tight else 0.6, 2) * line_h  # above, below
    horizontal = rng.uniform(0, 0.25 if tight else 1.0, 2) * char_w  # before, after
    jitter = rng.uniform(0, 0.08, (4, 2)) * line_h  # each corner moves outwards only: a slight trapezoid
    a0, a1 = a.min() - horizontal[0], a.max() + horizontal[1]
    b0, b1 = b.min() - vertical[0], b.max() + vertical[1]
    corners = np.array(
        [
            (a0 - jitter[0, 0], b0 - jitter[0, 1]),
            (a1 + jitter[1, 0], b0 - jitter[1, 1]),
            (a1 + jitter[2, 0], b1 + jitter[2, 1]),
            (a0 - jitter[3, 0], b1 + jitter[3, 1]),
        ]
    )
    return (corners[:, :1] * along + corners[:, 1:] * across).astype(np.float32)


def crop_effects() -> list[A.BasicTransform]:
    """Mild degradations of a cut line: what is left after the photo's own effects."""
    return [
        A.RandomBrightnessContrast(brightness_limit=(-0.25, 0.15), contrast_limit=(-0.35, 0.1), p=0.4),
        A.RandomGamma(gamma_limit=(80, 180), p=0.2),
        A.OneOf([A.GaussianBlur(sigma_limit=(0.3, 1.0)), A.MotionBlur(blur_limit=(3, 5))], p=0.35),
        A.Downscale(scale_range=(0.5, 0.9), p=0.15),
        A.GaussNoise(std_range=(0.01, 0.05), p=0.4),
        A.ImageCompression(quality_range=(40, 95), p=0.5),
    ]


def recognition_crop(scene: Scene, rng: np.random.Generator, *, height: int | None = None) -> np.ndarray:
    """The VIN line of `scene` cut as a detector would cut it (see `crop_quad`), then mildly degraded.

    Cut with `vinreader.lines.crop_line`, the reader's own cropper, so training crops are made like
    inference crops. The 17 characters are always fully inside.

    Args:
        scene: a close-up or a photo (`photo_from_scene`) with its VIN polygon.
        rng: source of all randomness.
        height: output height in pixels (width keeps the aspect ratio); None keeps the cut's own
            size, reduced to 32-80 px when taller.

    Returns:
        (h, w, 3) uint8 RGB crop, upright (the text reads left to right).
    """
    crop = crop_line(scene.image, crop_quad(scene.polygon, rng))
    h, w = crop.shape[:2]
    if height is None and h > 80:
        height = int(rng.integers(32, 81))
    if height is not None and height != h:
        new_w = max(1, round(w * height / h))
        interpolation = cv2.INTER_AREA if height < h else cv2.INTER_CUBIC
        crop = cv2.resize(crop, (new_w, height), interpolation=interpolation)
    return np.ascontiguousarray(A.Compose(crop_effects(), seed=_seed(rng))(image=crop)["image"])
