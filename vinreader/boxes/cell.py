"""One box cut *with its surroundings* -> the glyph of the character written in it.

A hand does not stay inside its box: a character often crosses a wall or lies on it. Cut at the
walls (the first release did), it loses what lies beyond: an "M" whose stem is on the wall reads
"N", a "2" whose base crosses the bottom wall reads "7". So the reader cuts each box with a margin
of :data:`CELL_MARGIN` of its side all round (`find.cut_cells`), and here:

1. polarity and ink levels come from the inside of the box (`glyph.ink_map`);
2. the walls are found as lines (a long stroke beside one told from it by thickness), given back
   where pen lies on them in another colour than the print's, and removed, strokes crossing them
   mended (`walls.py`);
3. each piece of ink left belongs to the box holding most of it: a piece mostly inside (walls
   included) is this box's character, its parts beyond the walls too; a piece mostly outside is a
   neighbour's. Two characters touching across a wall are split between them (:func:`own_ink`);
4. the kept ink is centred and scaled like every training glyph (`glyph.center_glyph`), with the
   box's ink as it was (walls, neighbours) placed the same way as the glyph's second channel.

Example:
    >>> import numpy as np
    >>> crop = np.full((80, 80), 235, np.uint8)
    >>> crop[18:22, :] = crop[58:62, :] = crop[:, 18:22] = crop[:, 58:62] = 20  # a comb's walls
    >>> crop[30:70, 38:42] = 20  # a "1" crossing the bottom wall
    >>> glyph = normalize_cell(crop, 0.5)
    >>> int(glyph[0, :, 16].max()), int(glyph[0, 0].max()), int(glyph[0, :, 4].max()), int(glyph[1].max())
    (255, 0, 0, 255)
"""

from __future__ import annotations

import cv2
import numpy as np

from vinreader.boxes.find import BoxRow, cut_cells, shifted
from vinreader.boxes.glyph import GLYPH_CHANNELS, GLYPH_FIT, GLYPH_SIZE, center_glyph, ink_map, to_grey
from vinreader.boxes.walls import WALL_TOLERANCE, pen_on_walls, remove_walls, wall_mask

CELL_MARGIN = 0.5  # of the box side, on each side: half of each neighbour, room for strokes beyond the walls
CELL_SIZE = 112  # px of a box cut with its margin: the box itself is CELL_SIZE / (1 + 2 * CELL_MARGIN) = 56 px
_INSET = 0.05  # of the side: the inside of the box, where ink levels are measured, starts this far in
_CROSSING = 0.25  # of the side: ink this near on both sides of a wall pixel is a stroke crossing it
_MIDDLE = 0.25  # of the side: ink this far inside a box's walls (a side wall's, beyond it) is its character's
_INSIDE = 0.5  # a piece of ink with more than this share inside the box (walls included) is the box's own
_MIN_INK = 0.01  # ink (of the box's area) below which the box is taken as empty
# Each box is cut again moved by these shares of its side (along the row, across it): where cleaning
# keeps or drops a stroke near a wall depends on where the grid puts the wall, so the reader averages
# the classifier over these views (`BoxReaderConfig.views`). The first is the box as found.
VIEW_SHIFTS = ((0.0, 0.0), (0.06, 0.0), (-0.06, 0.0), (0.0, 0.06), (0.0, -0.06))


def box_bounds(size: int, margin: float) -> tuple[int, int]:
    """First and last-plus-one pixel of the box inside a crop of ``size`` grown by ``margin`` of its side."""
    side = size / (1 + 2 * margin)
    return round(margin * side), round((1 + margin) * side)


def row_glyphs(image: np.ndarray, row: BoxRow) -> list[np.ndarray]:
    """The glyph of each box of ``row`` on ``image`` (RGB or grey uint8), as the reader classifies them."""
    return [normalize_cell(crop, CELL_MARGIN) for crop in cut_cells(image, row, size=CELL_SIZE, margin=CELL_MARGIN)]


def row_views(image: np.ndarray, row: BoxRow, views: int = len(VIEW_SHIFTS)) -> list[list[np.ndarray]]:
    """The glyphs of ``row`` cut as found and moved by the first ``views`` of :data:`VIEW_SHIFTS`: one list per view."""
    return [row_glyphs(image, shifted(row, along, across)) for along, across in VIEW_SHIFTS[:views]]


def normalize_cell(
    image: np.ndarray, margin: float = CELL_MARGIN, size: int = GLYPH_SIZE, fit: int = GLYPH_FIT
) -> np.ndarray:
    """A box cut with ``margin`` of its side all round (RGB or grey uint8) -> (2, size, size) glyph, white on black.

    Channel 0 is the character's ink, walls and neighbours removed; channel 1 the box's ink as it was,
    placed the same way. An empty box gives an all-black glyph (see `glyph.is_empty`).
    """
    grey = to_grey(image)
    bounds = box_bounds(grey.shape[0], margin)
    lo, hi = bounds
    ink = ink_map(grey, (lo + _INSET * (hi - lo)) / grey.shape[0])
    if ink is None:
        return np.zeros((GLYPH_CHANNELS, size, size), np.uint8)
    walls = wall_mask(ink, bounds)
    if image.ndim == 3:
        walls &= ~pen_on_walls(image[:, :, :3], ink, walls, bounds)
    kept = own_ink(remove_walls(ink, walls, max(3, round(_CROSSING * (hi - lo)))), bounds)
    if (kept > 0.5).sum() < _MIN_INK * (hi - lo) ** 2:
        return np.zeros((GLYPH_CHANNELS, size, size), np.uint8)
    return center_glyph(kept, size, fit, context=ink)


def own_ink(ink: np.ndarray, bounds: tuple[int, int], threshold: float = 0.5) -> np.ndarray:
    """Only the ink of this box's character (with its grey edges), walls already removed; the rest set to 0.

    Each piece of ink (above ``threshold``) belongs to the box holding most of it, walls included (a
    stroke lying on a wall is inside); a piece reaching into the middle of a neighbour is measured
    against the box alone. A piece reaching both the middle of this box and that of a neighbour is
    two characters touching across a wall: each of its pixels goes to the one it is nearer to along
    the ink.
    """
    lo, hi = bounds
    side = hi - lo
    middle, margin = round(_MIDDLE * side), round(WALL_TOLERANCE * side)
    mask = ink > threshold
    ours, theirs = np.zeros(mask.shape, bool), np.zeros(mask.shape, bool)
    ours[lo + middle : hi - middle, lo + middle : hi - middle] = True
    theirs[:, : max(0, lo - middle)] = theirs[:, hi + middle :] = True
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    touching = np.intersect1d(labels[ours & mask], labels[theirs & mask])
    joined = np.isin(labels, touching[touching > 0])
    if joined.any():
        mask &= ~joined | _nearer(joined, ours & joined, theirs & joined)
        count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros_like(ink)
    walled = slice(max(0, lo - margin), hi + margin)
    areas = np.bincount(labels.ravel(), minlength=count)
    inside = np.bincount(labels[walled, walled].ravel(), minlength=count)
    strictly_inside = np.bincount(labels[lo:hi, lo:hi].ravel(), minlength=count)
    neighbours = np.bincount(labels[theirs].ravel(), minlength=count) > 0
    keep = np.where(neighbours, strictly_inside, inside) > _INSIDE * areas
    keep[0] = False
    if not keep.any():
        return np.zeros_like(ink)
    keep &= areas >= max(3, 0.12 * areas[keep].max())  # dirt, small next to the character
    near = cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # with the grey edges
    return np.where(near, ink, 0.0).astype(np.float32)


def _nearer(mask: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """The pixels of ``mask`` nearer, along ``mask``, to the ``ours`` seeds than to ``theirs``: bool."""
    kernel = np.ones((3, 3), np.uint8)
    mine, other = ours.copy(), theirs & ~ours
    free = mask & ~mine & ~other
    while free.any():
        grow_mine = (cv2.dilate(mine.astype(np.uint8), kernel) > 0) & free
        grow_other = (cv2.dilate(other.astype(np.uint8), kernel) > 0) & free & ~grow_mine
        if not grow_mine.any() and not grow_other.any():
            break
        mine |= grow_mine
        other |= grow_other
        free &= ~(grow_mine | grow_other)
    return mine
