"""Find the row of 17 boxes on a form and cut each box out.

The page is binarised (adaptive threshold: printed lines and ink become white), and the *holes* of
the white shapes are taken as box candidates: the inside of a box is a hole in its frame whether the
boxes share walls (a comb) or stand apart. A candidate must be roughly square and convex; a
character touching a wall only dents it. Candidates of similar size whose centres line up along the
row direction (within ±25° of horizontal, which covers forms rotated up to ±10° and in perspective)
are chained left to right. Gaps in a chain of up to three boxes' width are boxes whose hole a
character split or closed: they are put back by interpolating their neighbours. A chain short of 17
by at most four is extended at its ends, one box at a time, where the next box's top, bottom and far
walls are seen as lines. The boxes are then put on the regular grid the whole row makes (each corner
fitted over the row, the boxes a character dented left out of the fit: :func:`fit_grid`), so a box
whose hole a stroke bent is cut where its walls are. A chain of exactly 17 boxes is the VIN row; when
several exist, the one with the most boxes seen wins.

Example:
    >>> import numpy as np
    >>> from vinreader.synth.forms import render_form
    >>> form = render_form("1HGCM82633A004352", np.random.default_rng(0))
    >>> row = find_box_row(form.scene.image)
    >>> row is not None and row.cells.shape
    (17, 4, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vinreader.vin import VIN_LENGTH

WORK_SIDE = 1600  # the page is searched at most this size (longest side), for speed
MAX_ROW_ANGLE = 25.0  # degrees from horizontal a row may run (rotation plus perspective)
_MIN_CELL = 10  # px: a smaller hole is a counter of a letter or dirt, not a box
_MAX_MISSING_RUN = 3  # boxes in a row that may be put back between two found ones
_MAX_EXTEND = 4  # boxes that may be added at the ends of a row, each only where its walls are seen
_WALL_EVIDENCE = 0.6  # share of a would-be box's top, bottom and far wall that must be line


@dataclass(frozen=True)
class BoxRow:
    """A row of boxes in image pixels.

    Attributes:
        cells: (n, 4, 2) float32 inner corners of each box, left to right, each clockwise from top-left.
        found: (n,) bool: the box was seen (False: put back from its neighbours).
    """

    cells: np.ndarray
    found: np.ndarray

    @property
    def polygon(self) -> np.ndarray:
        """(4, 2) corners of the whole row: top-left of the first box to bottom-left, clockwise."""
        return np.array([self.cells[0][0], self.cells[-1][1], self.cells[-1][2], self.cells[0][3]], np.float32)


@dataclass(frozen=True)
class _Cell:
    center: np.ndarray
    size: float
    quad: np.ndarray


def binarize(grey: np.ndarray) -> np.ndarray:
    """Lines and ink white on black, robust to uneven light and coloured (light) form print."""
    block = max(15, (min(grey.shape) // 40) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 9)


def _order_quad(points: np.ndarray) -> np.ndarray:
    """Four points -> top-left, top-right, bottom-right, bottom-left (image axes)."""
    center = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - center[1], points[:, 0] - center[0])
    ordered = points[np.argsort(angles)]  # clockwise in image coordinates, starting anywhere
    start = int(np.argmin(ordered.sum(axis=1)))  # top-left: smallest x + y
    return np.roll(ordered, -start, axis=0).astype(np.float32)


def box_candidates(binary: np.ndarray) -> list[_Cell]:
    """Holes of the white shapes that look like the inside of a box."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    cells = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0 or len(contour) < 4:
            continue
        (cx, cy), (w, h), _ = rect = cv2.minAreaRect(contour)
        if min(w, h) < _MIN_CELL or max(w, h) > 2.0 * min(w, h):
            continue
        hull = cv2.convexHull(contour)
        hull_area, area = cv2.contourArea(hull), cv2.contourArea(contour)
        if hull_area < 0.85 * w * h or area < 0.4 * w * h:
            continue
        approx = cv2.approxPolyDP(hull, 0.06 * cv2.arcLength(hull, True), True).reshape(-1, 2)
        quad = approx if len(approx) == 4 else cv2.boxPoints(rect)
        cells.append(_Cell(np.array([cx, cy], np.float32), float(np.sqrt(w * h)), _order_quad(quad.astype(np.float32))))
    return cells


def _chains(cells: list[_Cell]) -> list[list[int]]:
    """Groups of similar boxes lined up along a near-horizontal direction (connected components)."""
    n = len(cells)
    if n == 0:
        return []
    centers = np.stack([c.center for c in cells])
    sizes = np.array([c.size for c in cells])
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tan_max = np.tan(np.deg2rad(MAX_ROW_ANGLE))
    order = np.argsort(centers[:, 0])
    for a_pos, i in enumerate(order):
        for j in order[a_pos + 1 :]:
            dx, dy = centers[j] - centers[i]
            size = (sizes[i] + sizes[j]) / 2
            if dx > (_MAX_MISSING_RUN + 1.4) * size:
                break
            ratio = sizes[i] / sizes[j]
            if 0.75 < ratio < 1.33 and dx > 0.7 * size and abs(dy) < tan_max * dx and abs(dy) < 0.6 * size:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return [g for g in groups.values() if len(g) >= VIN_LENGTH - 6]


def _slots(cells: list[_Cell], chain: list[int]) -> list[list[int | None]]:
    """A chain in reading order with the gaps filled by None; split where too many boxes are missing."""
    centers = np.stack([cells[i].center for i in chain])
    direction = np.polyfit(centers[:, 0], centers[:, 1], 1)[0] if np.ptp(centers[:, 0]) > 0 else 0.0
    axis = np.array([1.0, direction]) / np.hypot(1.0, direction)
    chain = [chain[k] for k in np.argsort(centers @ axis)]
    projections = np.sort(centers @ axis)
    gaps = np.diff(projections)
    if gaps.size == 0:
        return [list(chain)]
    # Two boxes seen for one (a split hole) are closer than a pitch: drop the smaller.
    pitch = float(np.median(gaps[gaps > 0.6 * np.median(gaps)]))
    rows: list[list[int | None]] = [[chain[0]]]
    for k, gap in enumerate(gaps):
        steps = int(round(gap / pitch))
        if steps < 1:
            continue  # a duplicate at the same place
        if steps - 1 > _MAX_MISSING_RUN or abs(gap / pitch - steps) > 0.3:
            rows.append([chain[k + 1]])
            continue
        rows[-1] += [None] * (steps - 1) + [chain[k + 1]]
    return rows


def _fill(cells: list[_Cell], slots: list[int | None]) -> BoxRow:
    quads = [cells[i].quad if i is not None else None for i in slots]
    found = np.array([q is not None for q in quads])
    known = np.flatnonzero(found)
    out = np.zeros((len(slots), 4, 2), np.float32)
    for k, quad in enumerate(quads):
        if quad is not None:
            out[k] = quad
            continue
        left, right = known[known < k].max(), known[known > k].min()
        t = (k - left) / (right - left)
        out[k] = quads[left] + (quads[right] - quads[left]) * t
    return BoxRow(out, found)


def fit_grid(row: BoxRow) -> BoxRow:
    """The row's boxes re-placed on the regular grid their walls make together.

    A hole a character touches or crosses is dented, so its own corners misplace the walls. The boxes
    of a row are evenly spaced along straight top and bottom lines (in perspective, nearly evenly: a
    quadratic in the box's index covers it), so each corner's x and y are fitted over the whole row,
    the boxes seen far off the fit (more than a tenth of a box) are dropped, and the fit is refitted.
    """
    n = len(row.cells)
    index = np.arange(n, dtype=np.float64)
    side = float(np.median(np.linalg.norm(row.cells[:, 1] - row.cells[:, 0], axis=1)))
    use = row.found.copy() if row.found.sum() >= 6 else np.ones(n, bool)
    cells = row.cells.astype(np.float64)
    for _ in range(3):
        fitted = np.stack([_poly_fit(index, cells[:, c], use) for c in range(4)], axis=1)
        error = np.abs(fitted - cells).max(axis=(1, 2))
        keep = use & (error <= 0.1 * side)
        if keep.sum() < 6 or keep.sum() == use.sum():
            break
        use = keep
    return BoxRow(fitted.astype(np.float32), row.found)


def _poly_fit(index: np.ndarray, points: np.ndarray, use: np.ndarray) -> np.ndarray:
    """(n, 2) points -> their least-squares quadratic in ``index`` (fitted on ``use``), evaluated at every index."""
    return np.stack([np.polyval(np.polyfit(index[use], points[use, axis], 2), index) for axis in range(2)], axis=1)


def _wall_evidence(lines: np.ndarray, quad: np.ndarray, far: tuple[int, int]) -> float:
    """Share of points on a box's top, bottom and far wall that lie on a line (``lines``: dilated binary)."""
    h, w = lines.shape
    edges = [(quad[0], quad[1]), (quad[3], quad[2]), (quad[far[0]], quad[far[1]])]
    hits, total = 0, 0
    for a, b in edges:
        for t in np.linspace(0.1, 0.9, 17):
            x, y = np.round(a + (b - a) * t).astype(int)
            total += 1
            hits += bool(0 <= x < w and 0 <= y < h and lines[y, x])
    return hits / total


def _extend(cells: np.ndarray, found: np.ndarray, lines: np.ndarray, count: int) -> BoxRow | None:
    """Add boxes at the ends, one at a time, where the next box's walls are there; None if ``count`` is not reached."""
    while len(cells) < count and len(cells) >= 2:
        right = cells[-1] + (cells[-1] - cells[-2])
        left = cells[0] - (cells[1] - cells[0])
        scores = (_wall_evidence(lines, right, (1, 2)), _wall_evidence(lines, left, (0, 3)))
        if max(scores) < _WALL_EVIDENCE:
            return None
        if scores[0] >= scores[1]:
            cells, found = np.concatenate([cells, right[None]]), np.append(found, False)
        else:
            cells, found = np.concatenate([left[None], cells]), np.insert(found, 0, False)
    return BoxRow(cells.astype(np.float32), found) if len(cells) == count else None


def find_box_row(image: np.ndarray, count: int = VIN_LENGTH) -> BoxRow | None:
    """The row of ``count`` boxes in an RGB or grey uint8 image, or None when there is none.

    When several rows of ``count`` boxes exist, the one with the most boxes actually seen wins.
    """
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    scale = min(1.0, WORK_SIDE / max(grey.shape))
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    binary = binarize(grey)
    cells = box_candidates(binary)
    lines = None
    rows = []
    for chain in _chains(cells):
        for slots in _slots(cells, chain):
            if len(slots) > count or len(slots) < count - _MAX_EXTEND:
                continue
            row = fit_grid(_fill(cells, slots))
            if len(slots) < count:
                lines = lines if lines is not None else cv2.dilate(binary, np.ones((5, 5), np.uint8)) > 0
                row = _extend(row.cells, row.found, lines, count)
            if row is not None:
                rows.append(fit_grid(row))
    if not rows:
        return None
    best = max(rows, key=lambda row: int(row.found.sum()))
    return BoxRow(best.cells / scale, best.found)


def shifted(row: BoxRow, along: float, across: float) -> BoxRow:
    """``row`` with each box moved by ``along`` of its side along the row and ``across`` of it across."""
    cells = row.cells.astype(np.float32)
    step = along * (cells[:, 1] - cells[:, 0]) + across * (cells[:, 3] - cells[:, 0])  # (n, 2)
    return BoxRow(cells + step[:, None, :], row.found)


def cut_cells(image: np.ndarray, row: BoxRow, size: int = 48, margin: float = 0.05) -> list[np.ndarray]:
    """Each box of ``row`` warped to a ``size`` square, grown by ``margin`` so its walls are whole."""
    crops = []
    for quad in row.cells:
        center = quad.mean(axis=0)
        grown = center + (quad - center) * (1 + 2 * margin)
        target = np.array([(0, 0), (size, 0), (size, size), (0, size)], np.float32)
        matrix = cv2.getPerspectiveTransform(grown.astype(np.float32), target)
        crops.append(
            cv2.warpPerspective(image, matrix, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
        )
    return crops
