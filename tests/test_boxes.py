"""VINs in 17 boxes: finding the row on generated forms, glyph normalisation, the CLI with the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from vinreader.boxes.cell import (
    CELL_MARGIN,
    CELL_SIZE,
    VIEW_SHIFTS,
    box_bounds,
    normalize_cell,
    own_ink,
    row_glyphs,
    row_views,
)
from vinreader.boxes.find import BoxRow, cut_cells, find_box_row, fit_grid, shifted
from vinreader.boxes.glyph import is_empty, normalize_glyph
from vinreader.boxes.reader import BOX_PENALTIES, BoxReader, BoxReaderConfig, average_views, serial_prior
from vinreader.boxes.walls import LINE_FILL, wall_mask
from vinreader.choose import CHECK_DIGIT_ODDS, check_digit_corrected, decide
from vinreader.cli import app
from vinreader.synth.boxcells import font_glyph
from vinreader.synth.fonts import available_fonts
from vinreader.synth.forms import render_form
from vinreader.types import Candidate, CharReading
from vinreader.vin import VIN_ALPHABET, check_digit_status, compute_check_digit, known_wmi

VIN = "1HGCM82633A004352"


@pytest.fixture(scope="module")
def forms():
    return [render_form(None, np.random.default_rng(seed)) for seed in range(6)]


def test_row_found_on_generated_forms(forms):
    for form in forms:
        row = find_box_row(form.scene.image)
        assert row is not None, form.scene.vin
        assert row.cells.shape == (17, 4, 2)
        side = float(np.linalg.norm(form.cells[0][1] - form.cells[0][0]))
        # Every box within a quarter box of where it was drawn, in reading order.
        assert np.abs(row.cells.mean(axis=1) - form.cells.mean(axis=1)).max() < side / 4
        assert row.found.sum() >= 14
        crops = cut_cells(form.scene.image, row)
        assert len(crops) == 17 and all(c.shape[:2] == (48, 48) for c in crops)


def test_no_row_on_a_page_without_boxes():
    page = np.full((600, 800, 3), 240, np.uint8)
    cv2.putText(page, "no boxes here", (50, 300), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 3)
    for x in range(50, 500, 45):  # a row of 10 boxes is not a VIN row
        cv2.rectangle(page, (x, 400), (x + 40, 440), (0, 0, 0), 2)
    assert find_box_row(page) is None


def _boxed(char: str, invert: bool, border: bool) -> np.ndarray:
    """A 56 px box holding ``char`` in DejaVu: black on white, or white on black with a white border."""
    ink = font_glyph(char, available_fonts("sans")[0], np.random.default_rng(0), size=40)
    ys, xs = np.nonzero(ink > 0.1)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    cell = np.zeros((56, 56), np.float32)
    y, x = (56 - ink.shape[0]) // 2, (56 - ink.shape[1]) // 2
    cell[y : y + ink.shape[0], x : x + ink.shape[1]] = ink
    if border:
        cell[:3], cell[-3:], cell[:, :3], cell[:, -3:] = 1, 1, 1, 1
    image = (cell * 255).astype(np.uint8)
    return image if invert else 255 - image


@pytest.mark.parametrize("char", ["7", "E", "W", "1"])
def test_glyph_polarity_and_border(char):
    plain = normalize_glyph(_boxed(char, invert=False, border=False))[0]
    white_on_black = normalize_glyph(_boxed(char, invert=True, border=True))
    black_on_white = normalize_glyph(cv2.cvtColor(_boxed(char, invert=False, border=True), cv2.COLOR_GRAY2RGB))
    for both in (white_on_black, black_on_white):
        assert both.shape == (2, 32, 32) and both.dtype == np.uint8
        glyph, context = both
        # The second channel is the box as it was, placed the same way: here (the border out of view) the character.
        assert np.abs(glyph.astype(int) - context).mean() < 12
        assert glyph[16].max() == 255 or glyph[:, 16].max() == 255  # white ink
        assert glyph[0].max() == 0 and glyph[:, 0].max() == 0  # no border left
        # The same glyph whatever the polarity and border.
        assert np.abs(glyph.astype(int) - plain.astype(int)).mean() < 8


def test_tight_glyph_keeps_its_bar_and_empty_box_is_empty():
    bar = np.full((40, 30), 255, np.uint8)
    bar[2:8, 2:28] = 0  # a tightly cut "T": the bar is not a box border
    bar[8:38, 12:18] = 0
    glyph = normalize_glyph(bar)
    assert glyph[0, 4:8].max() == 255 and not is_empty(glyph)
    empty = np.full((48, 48), 230, np.uint8)
    empty[:2], empty[-2:], empty[:, :2], empty[:, -2:] = 20, 20, 20, 20
    assert is_empty(normalize_glyph(empty + np.random.default_rng(0).integers(0, 6, (48, 48), dtype=np.uint8)))


@pytest.mark.parametrize("dark_ink", [True, False])
def test_faint_thin_stroke_is_read_and_noise_alone_is_not(dark_ink):
    # A light pencil "7" (30 grey levels, 2 px) on noisy paper: the inside spans less than MIN_CONTRAST,
    # yet the stroke is long, so it is ink; the same paper without the stroke stays empty.
    rng = np.random.default_rng(3)
    paper = np.full((60, 60), 200.0) + rng.normal(0, 6, (60, 60))
    paper[:2], paper[-2:], paper[:, :2], paper[:, -2:] = 120, 120, 120, 120  # the box's border
    stroke = paper.copy()
    cv2.line(stroke, (18, 14), (42, 14), 170, 2)
    cv2.line(stroke, (42, 14), (26, 46), 170, 2)
    as_image = (
        (lambda a: np.clip(a, 0, 255).astype(np.uint8))
        if dark_ink
        else (lambda a: 255 - np.clip(a, 0, 255).astype(np.uint8))
    )
    glyph = normalize_glyph(as_image(stroke))
    assert not is_empty(glyph)
    ys, xs = np.nonzero(glyph[0] > 128)
    assert xs.max() - xs.min() >= 12 and ys.max() - ys.min() >= 20  # the whole "7", not a speck of it
    assert is_empty(normalize_glyph(as_image(paper)))


def test_stroke_along_a_wall_is_not_taken_for_the_wall():
    # A "D" written close to the left wall: its stem is long and near the edge, yet it is no wall (it does
    # not span the box), so it stays; the walls themselves go.
    box = np.full((48, 48), 235, np.uint8)
    box[:2], box[-2:], box[:, :2], box[:, -2:] = 20, 20, 20, 20
    cv2.line(box, (7, 9), (7, 38), 20, 3)
    cv2.ellipse(box, (7, 24), (26, 15), 0, -90, 90, 20, 3)
    glyph = normalize_glyph(box)[0]
    ys, xs = np.nonzero(glyph > 128)
    assert xs.min() <= 5 and ys.max() - ys.min() >= 20  # the stem is the glyph's left edge and spans it
    assert glyph[8:24, 4:8].mean() > 100  # the stem's pixels are there, not only the bowl


@pytest.mark.parametrize("white_on_black", [False, True])
def test_a_cut_out_box_keeps_a_long_stem_beside_its_border(white_on_black):
    # A "P" cut out tight, its stem against the left border and as long as 80% of the box: by fill alone
    # its columns are border lines (the border's run of lines takes them in); by thickness they are not.
    p = _tight_ink("P", 52)
    ink = np.zeros((64, 64), np.float32)
    ink[:3], ink[-3:], ink[:, :3], ink[:, -3:] = 1, 1, 1, 1
    alone = normalize_glyph(_on_paper(_put(np.zeros_like(ink), p, 6, 3)))[0]
    ink = _put(ink, p, 6, 3)
    assert ((ink[:, 3:6] > 0.25).mean(axis=0) >= LINE_FILL).all()  # not vacuous
    box = _on_paper(ink)
    glyph = normalize_glyph(255 - box if white_on_black else box)[0]
    assert _difference(glyph, alone) < 12  # the stem's first column goes with the border's grey edge (51 without it)


def test_fit_grid_puts_a_dented_box_back_on_the_row():
    side, pitch = 40.0, 44.0
    cells = np.array(
        [[(x, 100), (x + side, 100), (x + side, 100 + side), (x, 100 + side)] for x in 50 + pitch * np.arange(17)],
        np.float32,
    )
    dented = cells.copy()
    dented[5, 1] += (-12, 9)  # a character crossed the wall: the hole's corner moved inside
    row = fit_grid(BoxRow(dented, np.ones(17, bool)))
    assert np.abs(row.cells - cells).max() < 0.5
    assert np.abs(dented - cells).max() > 10  # the test is not vacuous


def _tight_ink(char: str, height: int) -> np.ndarray:
    """``char`` in DejaVu as a tight float32 ink mask ``height`` px high."""
    ink = font_glyph(char, available_fonts("sans")[0], np.random.default_rng(0), size=64)
    ys, xs = np.nonzero(ink > 0.1)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return cv2.resize(ink, (round(ink.shape[1] * height / ink.shape[0]), height), interpolation=cv2.INTER_AREA)


def _cell(wall: int = 3) -> tuple[np.ndarray, int, int]:
    """A box of a comb cut with the reader's margin: its walls as ink (float32), and the box's bounds."""
    lo, hi = box_bounds(CELL_SIZE, CELL_MARGIN)
    walls = np.zeros((CELL_SIZE, CELL_SIZE), np.float32)
    for edge in (lo - wall, hi):  # the walls lie just outside the box's inside, across the whole crop
        walls[edge : edge + wall, :] = walls[:, edge : edge + wall] = 1
    return walls, lo, hi


def _put(layer: np.ndarray, ink: np.ndarray, y: int, x: int) -> np.ndarray:
    """A copy of ``layer`` with ``ink`` drawn over it at (y, x)."""
    out = layer.copy()
    region = out[y : y + ink.shape[0], x : x + ink.shape[1]]
    np.maximum(region, ink, out=region)
    return out


def _on_paper(ink: np.ndarray) -> np.ndarray:
    return (235 - 215 * np.clip(ink, 0, 1)).astype(np.uint8)


def _difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


def test_stroke_crossing_a_wall_is_kept():
    # A "2" written low, its base 8 px below the bottom wall: cut at the walls (the first release) it reads as a "7".
    walls, lo, hi = _cell()
    two = _tight_ink("2", 44)
    y, x = hi - 36, (lo + hi - two.shape[1]) // 2
    alone = normalize_glyph(_on_paper(_put(np.zeros_like(walls), two, y, x)))[0]
    crop = _on_paper(_put(walls, two, y, x))
    glyph, context = normalize_cell(crop, CELL_MARGIN)
    assert _difference(glyph, alone) < 8
    assert glyph[0].max() == 0 and glyph[:, 0].max() == 0  # no wall left
    # The second channel holds the walls the first lost, placed the same way: the "2" lies on it unmoved.
    assert (context > 128).sum() > (glyph > 128).sum() + 50
    assert np.abs(np.minimum(context.astype(int) - glyph, 0)).mean() < 3
    cut_at_the_walls = normalize_glyph(crop[lo - 3 : hi + 3, lo - 3 : hi + 3])[0]
    assert _difference(cut_at_the_walls, alone) > 20  # the test is not vacuous: there the base is lost


def test_neighbours_strokes_are_not_this_boxs():
    # The right neighbour's bar crosses the wall 10 px into this box: alone it is no character here.
    walls, lo, hi = _cell()
    bar = np.ones((4, CELL_SIZE - hi + 10), np.float32)
    intruder = _put(walls, bar, lo + 28, hi - 10)
    assert (_on_paper(intruder)[lo + 28 : lo + 32, hi - 10 : hi] < 128).all()  # the bar is inside this box
    assert is_empty(normalize_cell(_on_paper(intruder), CELL_MARGIN))
    # On to this box's "H", written near that wall: the two are one piece of ink, split where they meet.
    h = _tight_ink("H", 40)
    y, x = lo + 8, hi - 8 - h.shape[1]
    mine = _put(np.zeros_like(walls), h, y, x)
    touching = _put(mine, bar, lo + 28, hi - 10)
    count, labels = cv2.connectedComponents((touching > 0.5).astype(np.uint8))
    assert count == 2 and (touching[:, hi + 6 :] > 0.5).any()  # one piece, reaching into the neighbour
    kept = own_ink(touching, (lo, hi)) > 0.5
    assert kept[mine > 0.5].all() and not kept[:, hi + 6 :].any()


def test_pen_on_a_wall_of_another_colour_is_kept():
    # An "E" in blue pen whose bottom bar lies exactly on the (red) bottom wall: only its colour tells it from the wall.
    walls, lo, hi = _cell(wall=4)
    e = _tight_ink("E", 40)
    pen = _put(np.zeros_like(walls), e, hi + 4 - e.shape[0], (lo + hi - e.shape[1]) // 2)
    paper, line, blue = np.array([235, 235, 230.0]), np.array([170, 50, 50.0]), np.array([25, 35, 120.0])
    rgb = paper * (1 - walls[..., None]) + line * walls[..., None]
    rgb = (rgb * (1 - pen[..., None]) + blue * pen[..., None]).astype(np.uint8)
    alone = normalize_glyph(_on_paper(pen))[0]
    assert _difference(normalize_cell(rgb, CELL_MARGIN)[0], alone) < 8
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert _difference(normalize_cell(grey, CELL_MARGIN)[0], alone) > 15  # without colour the bar goes with the wall


def test_a_long_stem_beside_a_wall_is_kept():
    # A "P" whose stem touches the left wall and runs from near the top wall to the bottom one: its
    # columns are ink along more than LINE_FILL of the box, like a wall's; only their thickness tells them apart.
    walls, lo, hi = _cell(wall=6)
    p = _tight_ink("P", hi - lo - 6)
    pen = _put(np.zeros_like(walls), p, lo + 6, lo)
    faint = np.maximum(walls, pen) > 0.25
    stem = slice(lo, lo + 3)
    assert (faint[lo:hi, stem].mean(axis=0) >= LINE_FILL).all()  # not vacuous: by fill alone the stem is a wall
    glyph = normalize_cell(_on_paper(np.maximum(walls, pen)), CELL_MARGIN)[0]
    alone = normalize_glyph(_on_paper(pen))[0]
    assert _difference(glyph, alone) < 8
    ys, xs = np.nonzero(glyph > 128)
    stem_rows = (glyph[:, xs.min() : xs.min() + 3] > 128).any(axis=1).sum()
    assert stem_rows >= 0.8 * (ys.max() - ys.min())  # the glyph's left edge is the stem, from top to bottom
    mask = wall_mask(np.maximum(walls, pen), (lo, hi))
    assert mask[walls > 0].mean() > 0.95  # the walls themselves still go


def test_row_glyphs_are_what_the_reader_classifies(forms):
    form = forms[0]
    row = find_box_row(form.scene.image)
    glyphs = row_glyphs(form.scene.image, row)
    assert len(glyphs) == 17 and all(g.shape == (2, 32, 32) and g.dtype == np.uint8 for g in glyphs)
    assert not any(is_empty(g) for g in glyphs)
    # The generator says what it drew in each box (the benchmark compares the reader's glyphs with it).
    assert len(form.inks) == 17 and all(ink.dtype == np.float32 and ink.max() > 0.5 for ink in form.inks)


def test_each_box_is_read_as_the_mean_of_its_views(forms):
    form = forms[1]
    row = find_box_row(form.scene.image)
    moved = shifted(row, 0.06, -0.06)
    top, left = row.cells[:, 1] - row.cells[:, 0], row.cells[:, 3] - row.cells[:, 0]
    assert np.allclose(moved.cells - row.cells, (0.06 * top - 0.06 * left)[:, None, :], atol=1e-4)
    # The serial digits' prior (test_serial_digits_are_expected_of_a_known_maker) left out: the plain mean.
    reader = BoxReader(BoxReaderConfig(views=len(VIEW_SHIFTS), serial_letter_weight=1.0))
    views = row_views(form.scene.image, row)
    assert len(views) == len(VIEW_SHIFTS) and all(len(v) == 17 for v in views)
    assert all(np.array_equal(a, b) for a, b in zip(views[0], row_glyphs(form.scene.image, row), strict=True))
    # Every box holds ink in every view here: the reading is the plain mean of the five.
    assert not any(is_empty(g) for view in views for g in view)
    mean = np.mean([reader.classifier(np.stack(view)) for view in views], axis=0)
    readings = reader.read_row(form.scene.image, row)
    assert [r.char for r in readings] == [VIN_ALPHABET[int(p.argmax())] for p in mean]
    assert [r.confidence for r in readings] == pytest.approx(mean.max(axis=1).tolist(), abs=1e-5)
    single = BoxReader(BoxReaderConfig(views=1, serial_letter_weight=1.0)).read_row(form.scene.image, row)
    assert [r.confidence for r in single] != pytest.approx([r.confidence for r in readings], abs=1e-5)
    with pytest.raises(ValueError, match="views"):
        BoxReaderConfig(views=0)


def test_an_empty_view_does_not_count_but_the_first_always_does():
    probs = np.zeros((3, 2, 33))  # 3 views of 2 boxes
    probs[:, :, 0] = [[0.2, 0.9], [0.6, 0.3], [1.0, 0.6]]
    probs[:, :, 1] = 1 - probs[:, :, 0]
    empty = np.array([[True, False], [False, True], [True, False]])
    mean = average_views(probs, empty)
    # Box 0: view 0 counts though flagged (the box was found filled on it), view 2 does not: (0.2 + 0.6) / 2.
    # Box 1: view 1 is empty: (0.9 + 0.6) / 2.
    assert mean[:, 0] == pytest.approx([0.4, 0.75]) and mean.sum(axis=1) == pytest.approx([1, 1])
    # Several networks: the mean over networks too.
    both = average_views(np.stack([probs, np.roll(probs, 1, axis=-1)]), empty)
    assert both[:, 0] == pytest.approx([0.4 / 2, 0.75 / 2]) and both[:, 1] == pytest.approx([0.5, 0.5])


def _row_probs(vin: str, doubts: dict[int, dict[str, float]]) -> np.ndarray:
    """(17, 33) probabilities: 0.9 on each character of ``vin``, except the positions given in ``doubts``."""
    probs = np.full((17, 33), 0.1 / 32)
    for k, c in enumerate(vin):
        probs[k, VIN_ALPHABET.index(c)] = 0.9
    for k, row in doubts.items():
        probs[k] = (1 - sum(row.values())) / (33 - len(row))
        for c, p in row.items():
            probs[k, VIN_ALPHABET.index(c)] = p
    return probs


def test_serial_digits_are_expected_of_a_known_maker():
    s_or_5 = {"S": 0.6, "5": 0.35}
    # Honda's "1HG": positions 14-17 are digits (ISO 3779); a "5" read as "S" at 16 becomes "5".
    probs = _row_probs("1HGCM82633A0043S2", {15: s_or_5, 4: {"M": 0.6, "N": 0.35}})
    out = serial_prior(probs, 0.05)
    assert VIN_ALPHABET[out[15].argmax()] == "5" and out[15].sum() == pytest.approx(1.0)
    assert out[15, VIN_ALPHABET.index("5")] > 0.85  # 0.35 against 0.6 * 0.05 and the rest
    assert np.array_equal(out[4], probs[4])  # not a serial position: as read
    assert np.array_equal(serial_prior(probs, 1.0), probs)
    # A small maker (third character 9) names itself in positions 12-14: only the last three are digits.
    small = serial_prior(_row_probs("VF9AB12345CDS1234", {12: s_or_5}), 0.05)
    assert VIN_ALPHABET[small[12].argmax()] == "S"
    # A maker code vininfo does not know: no prior at all (the row may not follow ISO 3779).
    assert not known_wmi("0A0CM82633A004352")
    unknown = _row_probs("0A0CM82633A0043S2", {15: s_or_5})
    assert np.array_equal(serial_prior(unknown, 0.05), unknown)
    with pytest.raises(ValueError, match="serial_letter_weight"):
        BoxReaderConfig(serial_letter_weight=0.0)


def _readings(vin: str, probs: dict[int, tuple[float, tuple[tuple[str, float], ...]]]) -> tuple[CharReading, ...]:
    return tuple(CharReading(c, probs.get(k, (0.97, ()))[0], probs.get(k, (0.97, ()))[1]) for k, c in enumerate(vin))


def test_check_digit_correction_uses_the_runners_up_and_says_so():
    misread = "1HGCM82633A0043S2"  # the truth, VIN, has "5" where a "S" was read
    assert check_digit_status(misread) == "invalid" and check_digit_status(VIN) == "valid"
    chars = _readings(misread, {15: (0.55, (("5", 0.4), ("3", 0.03))), 4: (0.9, (("N", 0.08),))})
    candidate = Candidate(misread, chars, "text", 0.0, check_digit="invalid")
    fixed = check_digit_corrected(candidate)
    assert fixed is not None and fixed.vin == VIN and fixed.check_digit == "valid"
    assert "check_digit_corrected" in fixed.reasons
    # Its confidence is the probability the check digit leaves, not a certainty: below 1, above the runner-up's.
    assert 0.4 < fixed.chars[15].confidence < 1.0
    assert fixed.chars[15].alternatives[0][0] in "S3"
    decision = decide([candidate, fixed], 0.5)
    assert decision.answer and decision.best.vin == VIN and "check_digit_corrected" in decision.reasons
    # Its score is its probability given a right check digit, not discounted again.
    assert decision.best.score == pytest.approx(fixed.confidence)


def test_check_digit_correction_only_where_the_region_requires_it():
    european = "WVWZZZ1JZ3W386752"
    chars = _readings(european, {})
    assert check_digit_corrected(Candidate(european, chars, "text", 0.0, check_digit="not_applicable")) is None
    # No runner-up can satisfy it: no correction, the reading stays invalid.
    wrong = "1HGCM82633A0043S2"
    assert check_digit_corrected(Candidate(wrong, _readings(wrong, {}), "text", 0.0, check_digit="invalid")) is None


def test_unknown_maker_code_is_no_doubt_in_a_row_of_boxes():
    unknown = "XZZ4B814ANR015823"  # a maker code vininfo does not know; no check digit in its region
    candidate = Candidate(unknown, _readings(unknown, {}), "text", 0.0, check_digit="not_applicable")
    photo = decide([candidate], 0.65)  # the photo reader's rules: other 17-character text is around
    boxes = decide([candidate], 0.65, penalties=BOX_PENALTIES)
    assert not photo.answer and "unknown_wmi" in photo.reasons
    assert boxes.answer and boxes.best.vin == unknown and boxes.best.score == pytest.approx(0.97)
    assert "unknown_wmi" in boxes.best.reasons  # still reported
    wrong = "1HGCM82633A0043S2"  # a wrong required check digit stays a doubt
    invalid = Candidate(wrong, _readings(wrong, {}), "text", 0.0, check_digit="invalid")
    assert not decide([invalid], 0.65, penalties=BOX_PENALTIES).answer


def test_a_right_required_check_digit_raises_the_odds_of_a_reading():
    weak = _readings(VIN, {4: (0.4, (("N", 0.35),))})  # one weak character in a North American VIN
    assert check_digit_status(VIN) == "valid"
    plain = decide([Candidate(VIN, weak, "text", 0.0, check_digit="valid")], 0.65, penalties=BOX_PENALTIES)
    raised = decide([Candidate(VIN, weak, "text", 0.0, check_digit="valid")], 0.65, penalties=BOX_PENALTIES,
                    supports=CHECK_DIGIT_ODDS)  # fmt: skip
    assert not plain.answer and plain.best.score == pytest.approx(0.4)
    odds = 0.4 / 0.6 * CHECK_DIGIT_ODDS["check_digit_confirmed"]
    assert raised.answer and raised.best.score == pytest.approx(odds / (1 + odds))
    assert "check_digit_confirmed" in raised.best.reasons
    # Where the region does not use one, a position 9 that happens to fit proves nothing.
    european = "WVWZZZ1JZ3W386752"
    lucky = european[:8] + compute_check_digit(european) + european[9:]
    eu = decide([Candidate(lucky, _readings(lucky, {4: (0.4, ())}), "text", 0.0, check_digit="valid")], 0.65,
                penalties=BOX_PENALTIES, supports=CHECK_DIGIT_ODDS)  # fmt: skip
    assert not eu.answer and eu.best.score == pytest.approx(0.4)
    # A reading corrected to satisfy the check is not raised again: its probabilities already assume it.
    misread = "1HGCM82633A0043S2"
    chars = _readings(misread, {15: (0.55, (("5", 0.4), ("3", 0.03)))})
    fixed = check_digit_corrected(Candidate(misread, chars, "text", 0.0, check_digit="invalid"))
    assert fixed is not None
    decided = decide([fixed], 0.0, penalties=BOX_PENALTIES, supports=CHECK_DIGIT_ODDS)
    assert "check_digit_confirmed" not in decided.best.reasons
    assert decided.best.score == pytest.approx(fixed.confidence) and "check_digit_corrected" in decided.reasons


def test_classify_cli_on_a_folder(tmp_path):
    chars = "7KX"
    for k, char in enumerate(chars):
        cv2.imwrite(str(tmp_path / f"{k}_{char}.png"), _boxed(char, invert=k % 2 == 0, border=True))
    (tmp_path / "3_broken.png").write_bytes(b"not an image")
    result = CliRunner().invoke(app, ["boxes", "classify", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1  # one bad file: reported, the others still classified
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in json.loads(result.stdout)}
    for k, char in enumerate(chars):
        row = rows[f"{k}_{char}.png"]
        assert row["char"] == char and row["error"] is None and len(row["alternatives"]) == 3
    assert "3_broken.png" in rows["3_broken.png"]["error"]
    table = CliRunner().invoke(app, ["boxes", "classify", str(tmp_path)])
    assert table.exit_code == 1 and "path" in table.stdout and "3_broken.png" in table.stderr
    csv_out = CliRunner().invoke(app, ["boxes", "classify", str(tmp_path), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == "path,char,confidence,alternatives,error"


def test_boxes_read_cli_on_a_generated_form(tmp_path):
    form = render_form(VIN, np.random.default_rng(3), handwritten=False, max_angle=6)
    path = tmp_path / "form.png"
    cv2.imwrite(str(path), form.scene.image[:, :, ::-1])
    overlays = tmp_path / "overlays"
    result = CliRunner().invoke(
        app,
        ["boxes", "read", str(path), str(tmp_path / "missing.png"), "--format", "json", "--visualize", str(overlays)],
    )
    assert result.exit_code == 1, result.output  # the missing file is an error; the form is still read
    by_name = {r["path"].rsplit("/", 1)[-1]: r for r in json.loads(result.stdout)}
    read = by_name["form.png"]
    assert read["vin"] == VIN, read
    assert read["check_digit"] == "valid" and read["info"]["manufacturer"]
    assert len(read["chars"]) == 17 and all(len(c["alternatives"]) == 3 for c in read["chars"])
    assert np.abs(np.array(read["polygon"]) - form.scene.polygon).max() < 10
    assert "file not found" in by_name["missing.png"]["error"]
    assert (overlays / "form.png").is_file()
    once = CliRunner().invoke(app, ["boxes", "read", str(path), "--format", "json", "--views", "1"])
    assert once.exit_code == 0 and json.loads(once.stdout)[0]["vin"] == VIN, once.output
    assert CliRunner().invoke(app, ["boxes", "read", str(path), "--views", "9"]).exit_code == 2  # a usage error


def test_synth_form_kind(tmp_path):
    result = CliRunner().invoke(
        app, ["synth", "--out", str(tmp_path), "--n", "2", "--kinds", "form", "--parts", "e2e", "--workers", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    labels = json.loads((tmp_path / "e2e" / "labels.json").read_text())
    assert sorted(labels) == ["form_000000.jpg", "form_000001.jpg"]
    assert all(len(vin) == 17 for vin in labels.values())
    image = cv2.imread(str(tmp_path / "e2e" / "images" / "form_000000.jpg"))[:, :, ::-1]
    assert find_box_row(image) is not None


def test_shipped_classifier_has_its_card():
    from vinreader.models.registry import available_models, build_classifier, load_card

    mean_card, _ = load_card("vin_charbox_mean")
    members = [Path(name).stem for name in mean_card["config"]["members"]]
    assert members[0] == "vin_charbox" and len(members) == len(set(members)) >= 2
    assert {"vin_charbox_mean", *members} <= set(available_models("classifier"))
    weights = 0
    for name in members:
        card, base = load_card(name)
        assert (base / card["card"]).is_file()
        weights += (base / card["weights"]).stat().st_size
        assert build_classifier(name, threads=1)(np.zeros((1, 32, 32), np.uint8)).shape == (1, 33)
    assert weights <= 2_000_000  # the default reader's networks together
    assert BoxReaderConfig().classifier == "vin_charbox_mean"


def test_mean_classifier_averages_its_members(tmp_path):
    from vinreader.models.registry import build_classifier, load_card

    glyphs = np.random.default_rng(0).integers(0, 256, (6, 2, 32, 32), dtype=np.uint8)
    names = [Path(name).stem for name in load_card("vin_charbox_mean")[0]["config"]["members"]]
    members = [build_classifier(name, threads=1)(glyphs) for name in names]
    mean = build_classifier("vin_charbox_mean", threads=1)
    assert np.allclose(mean(glyphs), np.mean(members, axis=0), atol=1e-6)
    for k, first in enumerate(members):  # networks trained apart, not one several times
        assert all(not np.allclose(first, other, atol=1e-3) for other in members[k + 1 :])
    lonely = tmp_path / "lonely.json"
    card = {"kind": "classifier", "arch": "charbox_mean", "config": {"members": ["vin_charbox"]}}
    lonely.write_text(json.dumps(card))
    with pytest.raises(ValueError, match="at least two"):
        build_classifier(lonely)
