"""Tests for the scene kinds behind `render_scene`, and the fonts, glyphs and strings they use."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vinreader.barcode import read_barcodes
from vinreader.synth import fonts, strings
from vinreader.synth.documents import DESIGNS, label_print
from vinreader.synth.glyphs import STYLES, render_line
from vinreader.synth.render import PLATE_STYLES, render_plate, render_sticker
from vinreader.synth.scenes import KINDS, render_scene
from vinreader.vin import VIN_ALPHABET, check_digit_required, check_digit_status, is_vin_syntax

SEEDS = range(12)


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _contrast(scene) -> tuple[float, float]:
    """Mean local contrast (std over windows half the line's height) inside the polygon, and its
    median over the rest of the image: text is busy, paint, paper and steel mostly are not."""
    grey = _grey(scene.image)
    k = max(3, int(np.ptp(scene.polygon[:, 1]) / 2))
    mean, sq = cv2.blur(grey, (k, k)), cv2.blur(grey * grey, (k, k))
    local = np.sqrt(np.maximum(sq - mean * mean, 0))
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(scene.polygon).astype(np.int32)], 255)
    return float(local[mask > 0].mean()), float(np.median(local[mask == 0]))


def _check_polygon(scene) -> None:
    h, w = scene.image.shape[:2]
    poly = scene.polygon
    assert poly.shape == (4, 2) and poly.dtype == np.float32
    assert ((poly >= 0) & (poly <= [w - 1, h - 1])).all(), poly
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = poly
    assert x1 > x0 and x2 > x3 and y3 > y0 and y2 > y1  # TL, TR, BR, BL
    ratio = (x1 - x0) / (y3 - y0)
    assert 4 < ratio < 30, ratio  # one line of 17 characters, not a paragraph or a single word


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_with_its_vin_inside_the_polygon(kind):
    for seed in SEEDS:
        scene = render_scene(kind, np.random.default_rng(seed))
        assert scene.image.dtype == np.uint8 and scene.image.ndim == 3 and scene.image.shape[2] == 3
        assert 600 <= scene.image.shape[1] <= 1400, scene.image.shape
        assert scene.kind == kind and is_vin_syntax(scene.vin)
        _check_polygon(scene)
        inside, elsewhere = _contrast(scene)
        assert inside > max(8.0, 2 * elsewhere), (kind, seed, inside, elsewhere)


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_scene(kind):
    a = render_scene(kind, np.random.default_rng(3), vin="XTAGAB110L1243238")
    b = render_scene(kind, np.random.default_rng(3), vin="XTAGAB110L1243238")
    c = render_scene(kind, np.random.default_rng(4), vin="XTAGAB110L1243238")
    assert a.image.tobytes() == b.image.tobytes() and np.array_equal(a.polygon, b.polygon)
    assert a.vin == "XTAGAB110L1243238"
    assert a.image.shape != c.image.shape or a.image.tobytes() != c.image.tobytes()


def test_render_scene_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown scene kind"):
        render_scene("licence_plate", np.random.default_rng(0))


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("barcode", ["Code39", "DataMatrix", "QRCode"])
def test_sticker_barcode_encodes_the_vin(design, barcode):
    rng = np.random.default_rng(len(design) * 7 + len(barcode))
    vin = strings.training_vin(rng)
    scene = render_sticker(vin, rng, design=design, barcode=barcode)
    _check_polygon(scene)
    assert [(r.text, r.format) for r in read_barcodes(scene.image)] == [(vin, barcode)]


def test_door_sticker_barcodes_found_are_the_vin():
    found = 0
    for seed in range(10):
        scene = render_scene("door_sticker", np.random.default_rng(100 + seed))
        texts = {r.text for r in read_barcodes(scene.image)}
        assert texts <= {scene.vin}
        found += bool(texts)
    assert found >= 2  # about half the labels carry a barcode


@pytest.mark.parametrize("design", DESIGNS)
def test_caption_lies_outside_the_vin_box(design):
    rng = np.random.default_rng(1)
    printed = label_print("1HGCM82633A004352", rng, 800, design=design, caption="VIN:")
    x0, y0, x1, y1 = (int(round(v)) for v in printed.vin_box)
    pad = 0.12 * (y1 - y0)  # what `render_sticker` adds around the box
    rows = printed.ink[y0:y1]
    gap = rows[:, max(0, int(x0 - 2 * pad)) : x0]
    assert gap.max() < 0.1, "ink right next to the VIN would fall inside the polygon"
    assert rows[:, : max(0, int(x0 - 2 * pad))].max() > 0.5, "the caption is printed left of the VIN"
    assert rows[:, x0:x1].max() > 0.5


@pytest.mark.parametrize("style", PLATE_STYLES)
def test_plate_styles(style):
    scene = render_plate("JHMCM56557C404453", np.random.default_rng(2), width=800, style=style)
    _check_polygon(scene)
    inside, elsewhere = _contrast(scene)
    assert scene.image.shape[1] == 800 and inside > max(8.0, 2 * elsewhere)


@pytest.mark.parametrize("style", STYLES)
def test_glyph_styles_give_a_tight_box_around_all_ink(style):
    rng = np.random.default_rng(0)
    line = render_line("XTA21070J0495272", rng, fonts.choose_font(rng, "mono"), 40, style)
    mask = line.mask
    assert mask.dtype == np.float32 and 0 <= mask.min() and mask.max() <= 1 and mask.max() > 0.5
    x0, y0, x1, y1 = (int(v) for v in line.box)
    assert 0 <= x0 < x1 <= mask.shape[1] and 0 <= y0 < y1 <= mask.shape[0]
    outside = mask.copy()
    outside[y0:y1, x0:x1] = 0
    assert outside.max() <= 0.1
    assert 30 <= y1 - y0 <= 60 and x1 - x0 > 8 * (y1 - y0)
    assert len(line.char_boxes) == 16


def test_font_registry_lists_installed_files_with_licences():
    assert all(spec.path.is_file() for spec in fonts.available_fonts())
    assert all(spec.licence and spec.package.startswith("fonts-") for spec in fonts.FONTS)
    assert len({spec.name for spec in fonts.FONTS}) == len(fonts.FONTS)
    assert {"DejaVuSans", "DejaVuSansMono-Bold"} <= {spec.name for spec in fonts.available_fonts()}
    assert all("mono" in spec.tags and "bold" in spec.tags for spec in fonts.available_fonts("mono bold"))
    with pytest.raises(ValueError, match="unknown font tags"):
        fonts.available_fonts("comic")


def test_npm_handwriting_faces_are_the_ones_the_install_script_fetches():
    script = (Path(__file__).parents[1] / "scripts" / "install-fonts.sh").read_text()
    listed = script.split("FONTSOURCE=(", 1)[1].split(")", 1)[0].split()
    assert sorted(listed) == sorted(fonts.FONTSOURCE_HANDS)
    npm = [spec for spec in fonts.BOX_FONTS if spec.package.startswith("@fontsource/")]
    assert len(npm) == len(fonts.FONTSOURCE_HANDS) and all("handwriting" in spec.tags for spec in npm)
    assert all(spec.licence in ("OFL-1.1", "Apache-2.0") for spec in npm)
    # Those installed (scripts/install-fonts.sh) load with Pillow and write every VIN character.
    assert all(fonts.covers(spec, VIN_ALPHABET) for spec in npm if spec.installed)


def test_everything_works_with_dejavu_alone(monkeypatch):
    dejavu = tuple(spec for spec in fonts.FONTS if spec.package.startswith("fonts-dejavu") and spec.installed)
    monkeypatch.setattr(fonts, "_installed", lambda: dejavu)
    spec = fonts.choose_font(np.random.default_rng(0), "ocr handwriting")
    assert spec in dejavu
    for kind in KINDS:
        scene = render_scene(kind, np.random.default_rng(5))
        _check_polygon(scene)


def test_training_vins_mix_real_and_uniform_strings():
    rng = np.random.default_rng(0)
    vins = [strings.training_vin(rng) for _ in range(2000)]
    assert all(len(v) == 17 and set(v) <= set(VIN_ALPHABET) for v in vins)
    known = sum(v[:3] in {w for wmis in strings.WMIS.values() for w in wmis} for v in vins)
    assert 0.6 < known / len(vins) < 0.8  # ~30% uniform (which rarely hit a listed WMI)
    assert strings.random_vin(np.random.default_rng(9)) == strings.random_vin(np.random.default_rng(9), uniform_prob=0)


def test_possible_vin_rights_the_check_digit_only_where_the_region_requires_it():
    rng = np.random.default_rng(3)
    vins = [strings.uniform_vin(rng) for _ in range(400)]
    required = [v for v in vins if check_digit_required(v)]
    assert required and any(check_digit_status(v) == "invalid" for v in required)  # drawn, many fail it
    for vin in vins:
        fixed = strings.possible_vin(vin)
        assert fixed[:8] + fixed[9:] == vin[:8] + vin[9:] and strings.possible_vin(fixed) == fixed
        if check_digit_required(vin):
            assert check_digit_status(fixed) == "valid"
        else:
            assert fixed == vin


def test_distractors_look_like_but_are_not_vins():
    rng = np.random.default_rng(0)
    for _ in range(200):
        text = strings.vin_like(rng)
        assert 14 <= len(text) <= 18 and not is_vin_syntax(text)
    assert strings.short_approval(rng).startswith("e") and "*" in strings.short_approval(rng)
    assert strings.ru_approval(rng).count("E-RU.") == 1
    assert all(line.endswith(" кг") for line in strings.ru_mass_lines(rng))
    assert " bar" in strings.tyre_line(rng)
