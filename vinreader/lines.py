"""From detected boxes to the line crops worth recognizing.

Recognition is the costly stage, so only boxes shaped like a line that can hold 17 characters are
read, best-shaped first; boxes the detector split on one line are joined; each box is cut out with a
perspective warp so rotated and skewed lines come out straight.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinreader.models.detector import TextBox, order_quad

# A 17-character line is at least ~4 times longer than high even in a condensed font, boxes
# included; ratios above ~40 are rules, edges and barcodes.
MIN_LINE_RATIO = 4.0
MAX_LINE_RATIO = 40.0


@dataclass(frozen=True, eq=False)
class Line:
    """A quadrilateral to recognize, in image pixels; edge 0->1 runs along the reading direction."""

    quad: np.ndarray
    score: float
    joined: bool = False

    @property
    def length(self) -> float:
        return float(np.linalg.norm(self.quad[1] - self.quad[0]))

    @property
    def thickness(self) -> float:
        return float(np.linalg.norm(self.quad[3] - self.quad[0]))


def _as_line(quad: np.ndarray, score: float, joined: bool = False) -> Line:
    """Orient the quad so its long side is the reading direction (vertical text turns clockwise)."""
    quad = order_quad(quad)
    if np.linalg.norm(quad[3] - quad[0]) > np.linalg.norm(quad[1] - quad[0]):
        quad = np.roll(quad, -1, axis=0)  # read top-to-bottom: start at the top-right corner
    return Line(quad=quad, score=score, joined=joined)


def _same_line(a: Line, b: Line) -> bool:
    """Whether b continues a on the same text line (similar height, aligned, a small gap)."""
    ha, hb = a.thickness, b.thickness
    if not 0.6 < ha / max(hb, 1e-6) < 1.6:
        return False
    direction = (a.quad[1] - a.quad[0]) / max(a.length, 1e-6)
    normal = np.array([-direction[1], direction[0]])
    ca, cb = a.quad.mean(axis=0), b.quad.mean(axis=0)
    along = float(np.dot(cb - ca, direction))
    across = abs(float(np.dot(cb - ca, normal)))
    gap = along - (a.length + b.length) / 2
    return along > 0 and across < 0.5 * ha and -0.3 * ha < gap < 1.5 * ha


def join_lines(lines: list[Line]) -> list[Line]:
    """Lines made by joining chains of boxes the detector split along one text line."""
    joined = []
    for start in lines:
        chain, current = [start], start
        while True:
            nxt = [b for b in lines if b is not current and b not in chain and _same_line(current, b)]
            if not nxt:
                break
            current = min(nxt, key=lambda b: float(np.linalg.norm(b.quad.mean(0) - current.quad.mean(0))))
            chain.append(current)
        if len(chain) > 1:
            points = np.concatenate([c.quad for c in chain]).astype(np.float32)
            quad = cv2.boxPoints(cv2.minAreaRect(points))
            joined.append(_as_line(quad, min(c.score for c in chain), joined=True))
    return joined


def candidate_lines(boxes: list[TextBox], max_lines: int) -> list[Line]:
    """Boxes shaped like a VIN line (joined pieces included), most promising first."""
    lines = [_as_line(b.polygon, b.score) for b in boxes]
    lines += join_lines([ln for ln in lines if ln.length / max(ln.thickness, 1e-6) < MAX_LINE_RATIO])
    kept = [ln for ln in lines if MIN_LINE_RATIO <= ln.length / max(ln.thickness, 1e-6) <= MAX_LINE_RATIO]
    # Prefer longer text (a VIN is among the longest lines on a sticker or plate) with a clear box.
    kept.sort(key=lambda ln: -ln.length * ln.score)
    return kept[:max_lines]


def crop_line(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quad warped to an upright rectangle of its own size."""
    width = max(2, int(round(np.linalg.norm(quad[1] - quad[0]))))
    height = max(2, int(round(np.linalg.norm(quad[3] - quad[0]))))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def sub_quad(quad: np.ndarray, start: float, end: float) -> np.ndarray:
    """The part of a line quad between fractions ``start`` and ``end`` of its length."""
    top = quad[0] + (quad[1] - quad[0]) * np.array([[start], [end]])
    bottom = quad[3] + (quad[2] - quad[3]) * np.array([[end], [start]])
    return np.concatenate([top, bottom]).astype(np.float32)
