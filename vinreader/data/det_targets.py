"""DBNet training targets from text polygons: the shrunk probability map and the threshold map.

Following the DBNet paper: each polygon is shrunk by ``D = A (1 - r^2) / L`` (area A, perimeter L,
shrink ratio r = 0.4) with ``pyclipper``; the shrunk region is text (1). The threshold map rises from
``thresh_min`` far from a text border to ``thresh_max`` on it, inside the polygon dilated by D. At
inference the blob of the probability map is expanded back with ``unclip_ratio`` (about 1.5 undoes
r = 0.4), see ``vinreader.models.detector.DBPostProcessor``.

Polygons too small to shrink are ignored (mask 0) rather than taught as background.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pyclipper

SHRINK_RATIO = 0.4
THRESH_MIN, THRESH_MAX = 0.3, 0.7
MIN_TEXT_SIZE = 3.0  # pixels: smaller polygons are ignored


@dataclass(frozen=True)
class DetectionTargets:
    """Per-pixel targets of one image (all float32, H x W)."""

    prob: np.ndarray  # 1 inside shrunk polygons
    prob_mask: np.ndarray  # 0 where a polygon was too small to teach either way
    thresh: np.ndarray  # threshold-map target
    thresh_mask: np.ndarray  # 1 inside dilated polygons (where the threshold loss applies)


def _offset(polygon: np.ndarray, distance: float) -> list[np.ndarray]:
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(
        [tuple(p) for p in np.round(polygon).astype(np.int64).tolist()], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON
    )
    return [np.asarray(p, np.float32) for p in offset.Execute(distance)]


def shrink_distance(polygon: np.ndarray, ratio: float = SHRINK_RATIO) -> float:
    """DBNet's offset ``A (1 - r^2) / L`` of a polygon."""
    area = abs(cv2.contourArea(polygon.astype(np.float32)))
    perimeter = cv2.arcLength(polygon.astype(np.float32), True)
    return area * (1 - ratio**2) / max(perimeter, 1e-6)


def _segment_distance(xs: np.ndarray, ys: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of each grid point to the segment a-b."""
    ab = b - a
    t = ((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / max(float(ab @ ab), 1e-6)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(xs - (a[0] + t * ab[0]), ys - (a[1] + t * ab[1]))


def _draw_border_map(polygon: np.ndarray, distance: float, canvas: np.ndarray, mask: np.ndarray) -> None:
    """Raise ``canvas`` to 1 - d/D near the polygon's border (d: distance to the nearest edge)."""
    dilated = _offset(polygon, distance)
    if not dilated:
        return
    region = dilated[0]
    cv2.fillPoly(mask, [np.round(region).astype(np.int32)], 1.0)
    height, width = canvas.shape
    x0, y0 = np.floor(region.min(axis=0)).astype(int)
    x1, y1 = np.ceil(region.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width - 1), min(y1, height - 1)
    if x1 < x0 or y1 < y0:
        return
    ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1].astype(np.float32)
    nearest = np.min(
        [_segment_distance(xs, ys, polygon[i], polygon[(i + 1) % len(polygon)]) for i in range(len(polygon))], axis=0
    )
    closeness = 1.0 - np.clip(nearest / distance, 0.0, 1.0)
    canvas[y0 : y1 + 1, x0 : x1 + 1] = np.maximum(canvas[y0 : y1 + 1, x0 : x1 + 1], closeness)


def make_targets(polygons: list[np.ndarray], height: int, width: int, ratio: float = SHRINK_RATIO) -> DetectionTargets:
    """Targets of an image of ``height x width`` whose text regions are ``polygons`` ((k, 2) pixels)."""
    prob = np.zeros((height, width), np.float32)
    prob_mask = np.ones((height, width), np.float32)
    border = np.zeros((height, width), np.float32)
    thresh_mask = np.zeros((height, width), np.float32)
    for polygon in polygons:
        polygon = np.asarray(polygon, np.float32).reshape(-1, 2)
        rect = cv2.minAreaRect(polygon)
        distance = shrink_distance(polygon, ratio)
        shrunk = _offset(polygon, -distance) if distance > 0 else []
        if min(rect[1]) < MIN_TEXT_SIZE or len(shrunk) != 1:
            cv2.fillPoly(prob_mask, [np.round(polygon).astype(np.int32)], 0.0)
            continue
        cv2.fillPoly(prob, [np.round(shrunk[0]).astype(np.int32)], 1.0)
        _draw_border_map(polygon, distance, border, thresh_mask)
    thresh = THRESH_MIN + (THRESH_MAX - THRESH_MIN) * border
    return DetectionTargets(prob=prob, prob_mask=prob_mask, thresh=thresh, thresh_mask=thresh_mask)
