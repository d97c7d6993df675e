"""One box already cut out -> one normalised glyph: polarity, box border removed, ink centred in 32 x 32.

The classifier is trained on what this module returns (MNIST digits, EMNIST letters, font glyphs and
cut-out boxes all pass through `normalize_glyph`), so training and inference see the same thing: white
ink on black, the ink's box scaled to fit ``fit`` pixels and centred (`center_glyph`), grey levels kept.
`boxes classify` reads boxes cut by someone else this way. The box reader cuts each box of a form
with its surroundings instead, so that strokes beyond the walls are kept (`cell.normalize_cell`), and
ends the same way: `ink_map` and `center_glyph`.

A glyph has two channels (:data:`GLYPH_CHANNELS`): the character's ink as cleaned, and the box's ink
*as it was* (border or walls, neighbours' strokes) placed the same way. Cleaning cannot tell a
stroke lying on a wall from the wall: the second channel lets the classifier see where ink was
removed and how thick it was there (the stem of a "D" on its left wall, the bar of a "Z" on the
bottom one).

Polarity is decided on the inside of the box (the outer band may be the box's own border, which has
the ink's colour): the colour most of the inside has is the background. Border lines are rows or
columns near an edge (within 16% of the side) that are ink over 80% of their length or more; they,
and everything between them and the edge, are cleared. A wall spans the whole box; a character's
stroke close to a wall (the stem of a "D", "K", "M" or "U", the bar of an "E") is shorter, and stays;
one as long as the box lying against the border (a tight cut's "P") is told from it by thickness
(`walls.strokes_along_walls`), and stays too.

Example:
    >>> import numpy as np
    >>> box = np.zeros((40, 40), np.uint8); box[:3] = box[-3:] = box[:, :3] = box[:, -3:] = 255
    >>> box[10:30, 18:22] = 255  # a white "1" on black, with a white border left from the box
    >>> glyph = normalize_glyph(box)
    >>> glyph.shape, int(glyph[0, 0].max()), int(glyph[0, 16, 16]), int(glyph[1].max())
    ((2, 32, 32), 0, 255, 255)
"""

from __future__ import annotations

import cv2
import numpy as np

from vinreader.boxes.walls import strokes_along_walls

GLYPH_SIZE = 32
GLYPH_FIT = 24  # the ink's longer side, in pixels of the normalised glyph
GLYPH_CHANNELS = 2  # the character's ink as cleaned; the box's ink as it was, placed the same way
MIN_CONTRAST = 48  # grey levels the inside of a box spans, below which it holds at most a faint stroke
FAINT_CONTRAST = 12  # grey levels between paper and ink below which even a long stroke is not taken as ink
_FAINT_LENGTH = 0.3  # a faint piece of ink this long (of the inside's side) is a stroke, not noise
_BAND = 0.16  # border lines are searched within this fraction of the side from each edge
_LINE_FILL = 0.8  # a row (column) with this fraction of ink is a border line: walls span the box, strokes less
_MIN_INK = 0.01  # an ink area below this fraction of the box is noise, not a character


def to_grey(image: np.ndarray) -> np.ndarray:
    """RGB or grey uint8 -> grey uint8."""
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY if image.shape[2] == 3 else cv2.COLOR_RGBA2GRAY)
    return image


def ink_map(grey: np.ndarray, inset: float = 0.15) -> np.ndarray | None:
    """Grey box -> float32 ink level in [0, 1] (1 = ink), or None when the box holds no character.

    Threshold, polarity and levels come from the inside of the box only (``inset`` of the side in from
    each edge): its border, often darker and thicker than the character, would otherwise set them and
    hide a light pencil stroke. A box whose inside spans less than :data:`MIN_CONTRAST` grey levels
    may still hold a faint, thin stroke (pencil, a light scan): `_faint_ink` looks for one.
    """
    h, w = grey.shape
    my, mx = max(1, round(inset * h)), max(1, round(inset * w))
    inside = cv2.GaussianBlur(grey, (3, 3), 0)[my : h - my, mx : w - mx]
    lo, hi = np.percentile(inside, (1, 99))
    min_contrast = MIN_CONTRAST * 0.75
    if hi - lo >= MIN_CONTRAST:
        threshold, _ = cv2.threshold(inside, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        bright = inside > threshold
        bright_ink = bright.mean() < 0.5  # the background is what most of the inside is
        is_ink = bright if bright_ink else ~bright
        source = grey.astype(np.float32)
    else:
        faint = _faint_ink(grey, (my, mx))
        if faint is None:
            return None
        (bright_ink, is_ink, source), min_contrast = faint, FAINT_CONTRAST
    level = source if bright_ink else 255.0 - source
    inside_level = level[my : h - my, mx : w - mx]
    if is_ink.all() or not is_ink.any():
        return None
    bg, fg = float(np.median(inside_level[~is_ink])), float(np.percentile(inside_level[is_ink], 90))
    if fg - bg < min_contrast:
        return None
    return np.clip((level - bg) / (fg - bg), 0.0, 1.0)


def _faint_ink(grey: np.ndarray, inset: tuple[int, int]) -> tuple[bool, np.ndarray, np.ndarray] | None:
    """A faint stroke in a low-contrast box, told from paper noise by its length: (polarity, the inside's
    ink mask, the smoothed box the levels come from), or None.

    The box is smoothed (noise falls faster than a stroke's contrast), and pixels further from the
    paper's median than :data:`FAINT_CONTRAST` grey levels and five times the paper's spread are ink
    candidates; a piece of them as long as :data:`_FAINT_LENGTH` of the inside is a stroke (noise and
    dirt give specks).
    """
    (my, mx), (h, w) = inset, grey.shape
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.0)
    inside = smooth[my : h - my, mx : w - mx]
    paper = float(np.median(inside))
    spread = 1.4826 * float(np.median(np.abs(inside - paper)))
    step = max(FAINT_CONTRAST, 5.0 * spread)
    for bright_ink in (False, True):
        is_ink = inside > paper + step if bright_ink else inside < paper - step
        count, _, stats, _ = cv2.connectedComponentsWithStats(is_ink.astype(np.uint8), connectivity=8)
        longest = max((max(stats[i, 2], stats[i, 3]) for i in range(1, count)), default=0)
        if longest >= _FAINT_LENGTH * min(inside.shape):
            return bright_ink, is_ink, smooth
    return None


def _line_runs(profile: np.ndarray, band: int) -> tuple[list[int], list[int]]:
    """Border-line rows (or columns) at each end: the outermost run of near-full lines within ``band``."""
    lines = profile >= _LINE_FILL
    n = len(profile)
    # A wall is a few pixels thick; a longer run is a wall with a character's stroke against it,
    # and the stroke stays.
    longest = max(3, round(0.14 * n))

    def run(indices: range) -> list[int]:
        found: list[int] = []
        for i in indices:
            if lines[i] and len(found) < longest:
                found.append(i)
            elif found:
                break  # the run ended: a gap, then maybe a character's bar, which stays
        return found

    return run(range(band)), run(range(n - 1, n - 1 - band, -1))


def clear_border(ink: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Ink with the box border (near-full ink lines at the edges, and all beyond them) set to 0.

    A thin or faint wall, or one a degree or two off the crop's axes, still fills a band of three rows
    (columns): lines are looked for in that band, at a lower ink level than the character's.
    """
    ink = ink.copy()
    faint = (ink > 0.25).astype(np.uint8)
    h, w = faint.shape
    rows = cv2.dilate(faint, np.ones((3, 1), np.uint8)).mean(axis=1)
    cols = cv2.dilate(faint, np.ones((1, 3), np.uint8)).mean(axis=0)
    top, bottom = _line_runs(rows, max(1, round(_BAND * h)))
    left, right = _line_runs(cols, max(1, round(_BAND * w)))
    top, bottom, left, right = _without_strokes_beside(faint > 0, top, bottom, left, right)
    sides = [side for side in (top, bottom, left, right) if side]
    if len(sides) == 1 and not _gap_after(rows if (top or bottom) else cols, sides[0], bool(top or left)):
        # One full line and no gap between it and the rest: the bar of a tightly cut "T" or "7".
        return _drop_edge_specks(ink, threshold)
    # One pixel more than the line: its anti-aliased edge would otherwise stay as a faint stroke.
    if top:
        ink[: min(h, max(top) + 2)] = 0
    if bottom:
        ink[max(0, min(bottom) - 1) :] = 0
    if left:
        ink[:, : min(w, max(left) + 2)] = 0
    if right:
        ink[:, max(0, min(right) - 1) :] = 0
    return _drop_edge_specks(ink, threshold)


def _without_strokes_beside(
    faint: np.ndarray, top: list[int], bottom: list[int], left: list[int], right: list[int]
) -> tuple[list[int], list[int], list[int], list[int]]:
    """The border runs without the lines of a stroke lying against the border (the stem of a "P" as long
    as the box): told apart by thickness, as a form's walls are (`walls.strokes_along_walls`)."""
    if not (top or bottom or left or right):
        return top, bottom, left, right  # no border: nothing to tell apart (most training glyphs)
    h, w = faint.shape
    rows, cols = np.zeros(h, bool), np.zeros(w, bool)
    rows[top + bottom], cols[left + right] = True, True
    # The crossing borders themselves, without the pixel the profile grew them by: a tight cut leaves
    # few rows between a border and the character, and the thickness is measured there.
    solid_rows, solid_cols = rows & (faint.mean(axis=1) >= _LINE_FILL), cols & (faint.mean(axis=0) >= _LINE_FILL)
    beside_rows = strokes_along_walls(faint, rows, solid_cols, (0, w)).any(axis=1)
    beside_cols = strokes_along_walls(faint.T, cols, solid_rows, (0, h)).any(axis=1)

    def own(run: list[int], beside: np.ndarray) -> list[int]:
        kept = [i for i in run if not beside[i]]
        return kept or run

    return own(top, beside_rows), own(bottom, beside_rows), own(left, beside_cols), own(right, beside_cols)


def _gap_after(profile: np.ndarray, line: list[int], from_start: bool) -> bool:
    """Whether an (almost) empty row or column separates a border line from what lies inside it."""
    inner = profile[max(line) + 1 :] if from_start else profile[: min(line)][::-1]
    ink_seen = np.flatnonzero(inner > 0.02)
    return inner.size > 0 and (ink_seen.size == 0 or ink_seen[0] > 0)


def _drop_edge_specks(ink: np.ndarray, threshold: float) -> np.ndarray:
    """Remove what is not the character: pieces thin along an edge (ends of neighbouring box lines),
    a frame left whole (a tilted border no row or column follows), and dirt small next to the rest."""
    mask = (ink > threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return ink
    h, w = mask.shape
    keep = np.zeros(count, bool)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        edges = (x == 0) + (y == 0) + (x + bw == w) + (y + bh == h)
        thin_along_edge = edges > 0 and min(bw, bh) <= max(2, 0.08 * min(h, w))
        frame = bw > 0.8 * w and bh > 0.8 * h and area < 0.35 * bw * bh and _hollow(labels == i)
        keep[i] = not thin_along_edge and not frame and not _wall_piece(x, y, bw, bh, h, w)
    areas = np.where(keep, stats[:, cv2.CC_STAT_AREA], 0)
    keep &= areas >= max(3, 0.12 * areas.max())
    kept = keep[labels]
    # Grey, anti-aliased pixels next to kept ink stay; those near removed pieces go.
    near = cv2.dilate(kept.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return np.where(near, ink, 0.0).astype(np.float32)


def _hollow(component: np.ndarray) -> bool:
    """Whether a shape lies almost all in the outer ring of the box: a frame, not a wide "W" or "M"."""
    h, w = component.shape
    center = component[h // 4 : h - h // 4, w // 4 : w - w // 4].sum()
    return center < 0.08 * component.sum()


def _wall_piece(x: int, y: int, bw: int, bh: int, h: int, w: int) -> bool:
    """A long thin stroke parallel to, and near, an edge: what is left of a box wall, not a character."""
    vertical = bw <= 0.12 * w and bh >= _LINE_FILL * h and min(x + bw, w - x) <= _BAND * w
    horizontal = bh <= 0.12 * h and bw >= _LINE_FILL * w and min(y + bh, h - y) <= _BAND * h
    return vertical or horizontal


def center_glyph(
    ink: np.ndarray, size: int = GLYPH_SIZE, fit: int = GLYPH_FIT, context: np.ndarray | None = None
) -> np.ndarray:
    """Crop the ink's box, scale its longer side to ``fit`` (aspect kept), centre it: uint8 (size, size).

    With ``context`` (the ink levels the cleaned ``ink`` came from, same shape): uint8 (2, size, size),
    the context moved and scaled exactly as the ink was, as the second channel.
    """
    ys, xs = np.nonzero(ink > 0.2)
    out = np.zeros((size, size) if context is None else (GLYPH_CHANNELS, size, size), np.uint8)
    if ys.size == 0:
        return out
    y_min, x_min = ys.min(), xs.min()
    crop = ink[y_min : ys.max() + 1, x_min : xs.max() + 1]
    h, w = crop.shape
    scale = fit / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(crop, (nw, nh), interpolation=interpolation)
    y0, x0 = (size - nh) // 2, (size - nw) // 2
    glyph = out if context is None else out[0]
    glyph[y0 : y0 + nh, x0 : x0 + nw] = np.clip(resized * 255 + 0.5, 0, 255).astype(np.uint8)
    if context is not None:
        out[1] = _place(context, (nh / h, nw / w), (y_min, x_min), (y0, x0), size, interpolation)
    return out


def _place(
    image: np.ndarray, scale: tuple[float, float], origin: tuple[int, int], at: tuple[int, int], size: int, how: int
) -> np.ndarray:
    """``image`` scaled by ``scale`` (y, x) and moved so that its pixel ``origin`` lands on ``at``, as `center_glyph`
    places the ink's crop (`cv2.resize`'s pixel-centre convention): uint8 (size, size)."""
    (sy, sx), (oy, ox), (ay, ax) = scale, origin, at
    h, w = image.shape
    scaled = cv2.resize(image, (max(1, round(w * sx)), max(1, round(h * sy))), interpolation=how)
    ky, kx = h * sy / scaled.shape[0], w * sx / scaled.shape[1]  # what rounding the scaled size left over
    # Input pixel x lands at ax + (x - ox + 0.5) * sx - 0.5; scaled pixel u shows x = (u + 0.5) * kx / sx - 0.5.
    matrix = np.array([[kx, 0, ax - ox * sx + 0.5 * kx - 0.5], [0, ky, ay - oy * sy + 0.5 * ky - 0.5]], np.float32)
    placed = cv2.warpAffine(scaled, matrix, (size, size), flags=cv2.INTER_LINEAR)
    return np.clip(placed * 255 + 0.5, 0, 255).astype(np.uint8)


def normalize_glyph(image: np.ndarray, size: int = GLYPH_SIZE, fit: int = GLYPH_FIT) -> np.ndarray:
    """A cut-out box (any polarity, border or not; RGB or grey uint8) -> (2, size, size) white-on-black uint8.

    Channel 0 is the character, border removed; channel 1 the box as it was (border included), placed
    the same way. An empty box gives an all-black glyph (see :func:`is_empty`).
    """
    ink = ink_map(to_grey(image))
    if ink is None:
        return np.zeros((GLYPH_CHANNELS, size, size), np.uint8)
    cleared = clear_border(ink)
    if (cleared > 0.5).mean() < _MIN_INK:
        return np.zeros((GLYPH_CHANNELS, size, size), np.uint8)
    return center_glyph(cleared, size, fit, context=ink)


def is_empty(glyph: np.ndarray) -> bool:
    """Whether a normalised glyph ((size, size), or (channels, size, size): its channel 0) holds no character."""
    return int((glyph[0] if glyph.ndim == 3 else glyph).max()) < 128
