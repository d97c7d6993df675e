"""The walls of one box, cut with its surroundings: where they are, where pen lies on them, and the ink without them.

A wall is a *line*: a row (column) with ink along :data:`LINE_FILL` of the box's span or more. A
character's stroke is mostly shorter; a long one beside a wall (the stem of a "P" reaching from top
to bottom) is told from it by thickness: the wall is as thick all along, and where the stroke lies
against it the two are thicker together (:func:`strokes_along_walls`), so the stroke is kept. Every line
outside the box is a wall (its own, or a neighbour's when the boxes stand apart); inside the box only
a run of lines starting at its edge and at most :data:`WALL_TOLERANCE` of the side deep is (the wall,
a pixel or two off where the row's grid put it).

A stroke that lies *on* a wall is lost with it, unless the pen's colour differs from the print's
(forms are often printed in a "dropout" colour, or grey): :func:`pen_on_walls` gives those pixels back.
Otherwise only the glyph's second channel, the box as it was, still shows it (`glyph.GLYPH_CHANNELS`).
A stroke that crosses a wall is mended by painting the wall's pixels from around them where ink lies
on both sides (:func:`remove_walls`).

Example:
    >>> import numpy as np
    >>> ink = np.zeros((80, 80), np.float32)
    >>> ink[18:22, :] = ink[58:62, :] = 1.0  # a comb's top and bottom walls
    >>> ink[30:70, 38:42] = 1.0  # a "1" crossing the bottom wall
    >>> clean = remove_walls(ink, wall_mask(ink, (20, 60)), reach=10)
    >>> float(clean[20, 10]), bool(clean[60, 40] > 0.5), bool(clean[60, 10] > 0)  # wall gone, crossing mended
    (0.0, True, False)
"""

from __future__ import annotations

import cv2
import numpy as np

LINE_FILL = 0.8  # a row (column) with ink along this share of the box's span is a line: strokes are shorter
WALL_TOLERANCE = 0.12  # of the side: how far inside the box, from where the row's grid puts it, a wall may be
_ALONG = 0.15  # of the side: a stroke lying along a wall is found along at least this stretch of it
_THICKER = 0.2  # ... where the walls' band is this much (and 2 px) thicker than the wall alone
_WALL_INK = 0.25  # ink level from which a pixel may be part of a (faint, coloured) wall
_COLOUR_APART = 30.0  # RGB levels: print and pen colours must differ this much to be told apart


def wall_mask(ink: np.ndarray, bounds: tuple[int, int]) -> np.ndarray:
    """Pixels of the walls (and of any other line across the box's span) in ``ink``, a crop whose box spans ``bounds``.

    Args:
        ink: float32 ink levels in [0, 1] of the box with its surroundings (square).
        bounds: first and last-plus-one pixel of the box (its inside) along both axes.

    Returns:
        bool mask, each line a pixel wider across than its ink (a wall a pixel off the axis, its grey edge),
        without the strokes found lying along it (:func:`strokes_along_walls`).
    """
    faint = ink > _WALL_INK
    widened_rows = cv2.dilate(faint.astype(np.uint8), np.ones((3, 1), np.uint8)) > 0
    widened_columns = cv2.dilate(faint.astype(np.uint8), np.ones((1, 3), np.uint8)) > 0
    rows, columns = _line_rows(widened_rows, bounds), _line_rows(widened_columns.T, bounds)
    horizontal = rows[:, None] & widened_rows & ~strokes_along_walls(faint, rows, columns, bounds)
    vertical = columns[None, :] & widened_columns & ~strokes_along_walls(faint.T, columns, rows, bounds).T
    return horizontal | vertical


def _line_rows(widened: np.ndarray, bounds: tuple[int, int]) -> np.ndarray:
    """Which rows are horizontal walls, from ``widened`` (bool ink grown by a pixel across rows): bool per row."""
    lo, hi = bounds
    depth = max(2, round(WALL_TOLERANCE * (hi - lo)))
    lines = widened[:, lo:hi].mean(axis=1) >= LINE_FILL
    rows = lines.copy()
    rows[lo:hi] = False
    rows[_inner_run(lines, lo, 1, depth) + _inner_run(lines, hi - 1, -1, depth)] = True
    return rows


def strokes_along_walls(faint: np.ndarray, rows: np.ndarray, across: np.ndarray, bounds: tuple[int, int]) -> np.ndarray:
    """Pixels of the horizontal walls ``rows`` that are a stroke lying along a wall, beside it: bool.

    A wall is as thick all along; where a stroke lies against it (the stem of a "P" beside the left
    wall), the band of line rows is thicker over a long stretch, and the stroke may even be taken for
    part of the wall (its rows long enough to count as lines). The wall's own thickness is the band's
    thinnest (5th percentile) along the box, away from the crossing walls ``across``; along stretches
    of at least :data:`_ALONG` of the side where the band is :data:`_THICKER` thicker than that, the
    band's rows that are not the wall's own (ink along its thin stretches) are the stroke's.
    """
    lo, hi = bounds
    side = hi - lo
    found = np.zeros(faint.shape, bool)
    span = np.zeros(faint.shape[1], bool)
    span[lo:hi] = True
    span &= ~(cv2.dilate(across.astype(np.uint8)[None, :], np.ones((1, 3), np.uint8))[0] > 0)
    if span.sum() < _ALONG * side:
        return found
    for start, stop in _runs(rows):
        band = faint[start:stop]
        thickness = band.sum(axis=0)
        wall = np.percentile(thickness[span], 5)
        thicker = _runs_at_least(span & (thickness >= wall + max(2.0, _THICKER * wall)), round(_ALONG * side))
        thin = span & ~thicker
        if not thicker.any() or thin.sum() < 3:
            continue
        own = band[:, thin].mean(axis=1) >= 0.5  # the wall's own rows
        found[start:stop] = (~own)[:, None] & thicker[None, :]
    return found


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Start and stop of each run of True in a 1-D bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _runs_at_least(flags: np.ndarray, length: int) -> np.ndarray:
    """``flags`` with the runs of True shorter than ``length`` cleared."""
    out = np.zeros_like(flags)
    for start, stop in _runs(flags):
        if stop - start >= length:
            out[start:stop] = True
    return out


def _inner_run(lines: np.ndarray, edge: int, inward: int, depth: int) -> list[int]:
    """The first run of line rows from ``edge`` inwards, within ``depth`` rows of it."""
    run: list[int] = []
    for i in range(edge, edge + inward * depth, inward):
        if lines[i]:
            run.append(i)
        elif run:
            break
    return run


def pen_on_walls(rgb: np.ndarray, ink: np.ndarray, walls: np.ndarray, bounds: tuple[int, int]) -> np.ndarray:
    """The pixels of ``walls`` that are pen, not form print, told apart by colour: bool.

    Each wall pixel's colour is unmixed into paper, print and pen (the paper's median colour, and
    those of the strongest quarter of the walls' and of the character's pixels inside the box); where
    pen outweighs print, the pixel is the character's. Nothing is found when print and pen are too
    alike (a black pen on black lines) or one of the three colours is missing.
    """
    lo, hi = bounds
    depth = round(WALL_TOLERANCE * (hi - lo))
    core = np.zeros(walls.shape, bool)
    core[lo + depth : hi - depth, lo + depth : hi - depth] = True
    away = cv2.dilate(walls.astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    pen_pixels, paper_pixels, print_pixels = core & away & (ink > 0.7), ink < 0.1, walls & (ink > 0.7)
    found = np.zeros(walls.shape, bool)
    if min(int(pen_pixels.sum()), int(paper_pixels.sum()), int(print_pixels.sum())) < 15:
        return found
    colour = rgb.astype(np.float32)
    paper = np.median(colour[paper_pixels], axis=0)
    # Thin strokes are mostly mixed with paper: their colour is that of their strongest pixels.
    print_colour, pen_colour = _strongest(colour, ink, print_pixels), _strongest(colour, ink, pen_pixels)
    basis = np.stack([print_colour - paper, pen_colour - paper], axis=1)  # (3, 2)
    if np.linalg.svd(basis, compute_uv=False)[-1] < _COLOUR_APART:
        return found
    weights = (colour[walls] - paper) @ np.linalg.pinv(basis).T  # (n, 2): print, pen
    found[walls] = (weights[:, 1] > weights[:, 0]) & (weights[:, 1] > 0.5)
    return found


def _strongest(colour: np.ndarray, ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median colour of the quarter of ``mask``'s pixels with the most ink."""
    levels = ink[mask]
    return np.median(colour[mask][levels >= np.percentile(levels, 75)], axis=0)


def remove_walls(ink: np.ndarray, walls: np.ndarray, reach: int) -> np.ndarray:
    """``ink`` with the ``walls`` pixels cleared, except where a stroke crosses them: there it is mended.

    A wall pixel with ink on both sides of it (above and below, or left and right, within ``reach``
    pixels) is where a stroke crosses the wall: it is painted from its surroundings (`cv2.inpaint`),
    so the stroke is whole again. Painting elsewhere would smear a stroke lying beside a thick wall.
    """
    seen = ((ink > 0.5) & ~walls).astype(np.uint8)

    def ink_within(shape: tuple[int, int], anchor: tuple[int, int]) -> np.ndarray:
        return cv2.dilate(seen, np.ones(shape, np.uint8), anchor=anchor) > 0

    above, below = ink_within((reach, 1), (0, reach - 1)), ink_within((reach, 1), (0, 0))
    left, right = ink_within((1, reach), (reach - 1, 0)), ink_within((1, reach), (0, 0))
    crossed = walls & ((above & below) | (left & right))
    cleared = np.where(walls, 0.0, ink).astype(np.float32)
    if not crossed.any():
        return cleared
    image = np.clip(ink * 255 + 0.5, 0, 255).astype(np.uint8)
    painted = cv2.inpaint(image, walls.astype(np.uint8), 3, cv2.INPAINT_TELEA).astype(np.float32) / 255.0
    return np.where(crossed, painted, cleared).astype(np.float32)
