"""Text detection: a DBNet-style probability map turned into rotated text boxes.

Stages (docTR's PreProcessor -> model -> PostProcessor): resize + normalize, run the ONNX network,
then threshold the map, take each blob's minimum-area rectangle and expand it by ``unclip_ratio``
(Vatti clipping via ``pyclipper``, as in the DBNet paper: offset = area * ratio / perimeter).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pyclipper

from vinreader.models.registry import register
from vinreader.models.session import onnx_session


@dataclass(frozen=True, eq=False)
class TextBox:
    """A detected text region: 4 corners (x, y) in image pixels, clockwise from top-left."""

    polygon: np.ndarray
    score: float

    @property
    def width(self) -> float:
        return float(np.linalg.norm(self.polygon[1] - self.polygon[0]))

    @property
    def height(self) -> float:
        return float(np.linalg.norm(self.polygon[3] - self.polygon[0]))


def order_quad(points: np.ndarray) -> np.ndarray:
    """Order 4 corners clockwise starting top-left, so that edge 0->1 is the reading direction.

    For a box taller than wide, the first edge is still the top edge; callers decide whether the
    text runs vertically.
    """
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates (y down), starting near -pi
    start = int(np.argmin(pts.sum(axis=1)))  # top-left has the smallest x + y
    return np.roll(pts, -start, axis=0)


class DBPostProcessor:
    """Turn a text probability map into boxes (thresholds are the knobs `tune-unclip` searches)."""

    def __init__(
        self,
        thresh: float = 0.3,
        box_thresh: float = 0.5,
        unclip_ratio: float = 1.6,
        max_candidates: int = 300,
        min_size: float = 3.0,
    ) -> None:
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.unclip_ratio = unclip_ratio
        self.max_candidates = max_candidates
        self.min_size = min_size

    def __call__(self, prob_map: np.ndarray, scale_x: float, scale_y: float) -> list[TextBox]:
        """Boxes in original-image pixels; ``scale_*`` map map pixels to image pixels."""
        mask = (prob_map > self.thresh).astype(np.uint8)
        # A 2x2 dilation joins characters that the map separates by a thin gap.
        mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours[: self.max_candidates]:
            rect = cv2.minAreaRect(contour)
            if min(rect[1]) < self.min_size:
                continue
            score = _mean_score(prob_map, contour)
            if score < self.box_thresh:
                continue
            expanded = self._unclip(cv2.boxPoints(rect))
            if expanded is None:
                continue
            rect = cv2.minAreaRect(expanded)
            if min(rect[1]) < self.min_size + 2:
                continue
            quad = order_quad(cv2.boxPoints(rect)) * np.array([scale_x, scale_y], np.float32)
            boxes.append(TextBox(polygon=quad, score=score))
        return boxes

    def _unclip(self, box: np.ndarray) -> np.ndarray | None:
        area = cv2.contourArea(box)
        perimeter = cv2.arcLength(box, True)
        if perimeter == 0:
            return None
        distance = area * self.unclip_ratio / perimeter
        offset = pyclipper.PyclipperOffset()
        offset.AddPath(
            [tuple(p) for p in box.astype(np.int64).tolist()], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON
        )
        expanded = offset.Execute(distance)
        if len(expanded) != 1:
            return None
        return np.asarray(expanded[0], dtype=np.float32).reshape(-1, 1, 2)


def _mean_score(prob_map: np.ndarray, contour: np.ndarray) -> float:
    """Mean probability inside the blob (DBNet's 'slow' score: robust for rotated text)."""
    x, y, w, h = cv2.boundingRect(contour)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [contour.reshape(-1, 2) - [x, y]], 1)
    return float(cv2.mean(prob_map[y : y + h, x : x + w], mask)[0])


def input_shape(height: int, width: int, input_side: int) -> tuple[int, int]:
    """Network input (H, W) of an image: longest side = ``input_side``, both multiples of 32."""
    ratio = input_side / max(height, width)
    return max(32, int(round(height * ratio / 32)) * 32), max(32, int(round(width * ratio / 32)) * 32)


def prepare_image(
    image: np.ndarray,
    shape: tuple[int, int],
    mean: np.ndarray | float = 0.5,
    std: np.ndarray | float = 0.5,
    channel_order: str = "RGB",
) -> np.ndarray:
    """An RGB uint8 image -> (3, H, W) float32 network input of ``shape`` (H, W).

    The one preprocessing shared by inference and training, so what is trained is what runs.
    """
    new_h, new_w = shape
    interpolation = cv2.INTER_AREA if new_w < image.shape[1] else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    if channel_order == "BGR":
        resized = resized[:, :, ::-1]
    x = (resized.astype(np.float32) / 255.0 - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


@register("detector", "dbnet_onnx")
class DBNetDetector:
    """A DBNet-family detector exported to ONNX (PP-OCR's, or one trained by `vinreader train`).

    Args:
        weights: ONNX file taking (1, 3, H, W) normalized images and giving a (1, 1, H, W) map.
        input_side: the image is resized so its longest side is this many pixels (multiple of 32).
            Chosen by measurement: see the model card.
        mean, std: per-channel normalization of 0..1 pixels.
        channel_order: "RGB" or "BGR" (PP-OCR models were trained on OpenCV's BGR).
        extra_sides: also detect at these input sides and keep, of boxes overlapping by IoU >=
            ``MERGE_IOU``, the most confident (multi-scale: a small VIN found only when upscaled).
        extra_below: run the extra sides only when no box of the first pass scores this much (None:
            always); a confident first find is kept as it is, and most photos need one pass.
        max_boxes: keep only this many boxes, the most confident (None: all). A VIN-only detector
            gives one VIN per photo; more boxes are its false alarms, and the reader falls back to
            the general detector when the kept box reads no confident VIN.
    """

    def __init__(
        self,
        weights: Path,
        name: str = "dbnet",
        input_side: int = 736,
        mean: tuple[float, float, float] = (0.5, 0.5, 0.5),
        std: tuple[float, float, float] = (0.5, 0.5, 0.5),
        channel_order: str = "BGR",
        thresh: float = 0.3,
        box_thresh: float = 0.5,
        unclip_ratio: float = 1.6,
        extra_sides: tuple[int, ...] = (),
        extra_below: float | None = None,
        max_boxes: int | None = None,
        threads: int = 0,
    ) -> None:
        if max_boxes is not None and max_boxes < 1:
            raise ValueError(f"max_boxes must be >= 1 (or None for all), got {max_boxes}")
        self.name = name
        self.max_boxes = max_boxes
        self.input_side = int(input_side)
        self.extra_sides = tuple(int(side) for side in extra_sides)
        self.extra_below = extra_below
        self.mean = np.asarray(mean, np.float32)
        self.std = np.asarray(std, np.float32)
        self.channel_order = channel_order
        self.postprocess = DBPostProcessor(thresh=thresh, box_thresh=box_thresh, unclip_ratio=unclip_ratio)
        self.session: ort.InferenceSession = onnx_session(weights, threads)
        self.input_name = self.session.get_inputs()[0].name

    def input_shape(self, height: int, width: int, side: int | None = None) -> tuple[int, int]:
        """Network input (H, W): longest side = input_side (or ``side``), both multiples of 32."""
        return input_shape(height, width, side or self.input_side)

    def probability_map(self, image: np.ndarray, side: int | None = None) -> np.ndarray:
        """The network's text probability map at input resolution."""
        shape = self.input_shape(*image.shape[:2], side)
        x = prepare_image(image, shape, self.mean, self.std, self.channel_order)
        return self.session.run(None, {self.input_name: x[None]})[0][0, 0]

    def detect(self, image: np.ndarray) -> list[TextBox]:
        """Text boxes of an RGB uint8 image, in its pixel coordinates (merged over the input sides)."""
        boxes = self._detect_at(image, self.input_side)
        best = max((b.score for b in boxes), default=0.0)
        if self.extra_sides and (self.extra_below is None or best < self.extra_below):
            for side in self.extra_sides:
                boxes += self._detect_at(image, side)
            boxes = merge_boxes(boxes)
        if self.max_boxes is not None:
            boxes = sorted(boxes, key=lambda b: -b.score)[: self.max_boxes]
        return boxes

    def _detect_at(self, image: np.ndarray, side: int) -> list[TextBox]:
        prob_map = self.probability_map(image, side)
        scale_y = image.shape[0] / prob_map.shape[0]
        scale_x = image.shape[1] / prob_map.shape[1]
        return self.postprocess(prob_map, scale_x, scale_y)


MERGE_IOU = 0.3


def merge_boxes(boxes: list[TextBox], iou: float = MERGE_IOU) -> list[TextBox]:
    """Most confident first; a box overlapping a kept one by ``iou`` or more is the same text found again."""
    kept: list[TextBox] = []
    for box in sorted(boxes, key=lambda b: -b.score):
        if all(polygon_iou(box.polygon, other.polygon) < iou for other in kept):
            kept.append(box)
    return kept


def _overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(intersection, area of a, area of b) of two convex polygons ((k, 2) points, any orientation)."""
    a = cv2.convexHull(np.asarray(a, np.float32).reshape(-1, 2))
    b = cv2.convexHull(np.asarray(b, np.float32).reshape(-1, 2))
    inter, _ = cv2.intersectConvexConvex(a, b)
    return float(inter), float(cv2.contourArea(a)), float(cv2.contourArea(b))


def polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two convex polygons ((k, 2) points, any orientation)."""
    inter, area_a, area_b = _overlap(a, b)
    union = area_a + area_b - inter
    return inter / union if union > 0 else 0.0


def polygon_cover(outer: np.ndarray, inner: np.ndarray) -> float:
    """Share of convex polygon ``inner`` inside convex polygon ``outer``."""
    inter, _, area = _overlap(outer, inner)
    return inter / area if area > 0 else 0.0
