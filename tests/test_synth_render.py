"""Tests for vinreader.synth: random VINs, rendered labels, photo placement and the sample writer."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image
from vininfo import Vin

from vinreader.barcode import read_barcodes
from vinreader.synth import Scene, place_in_photo, random_vin, render_plate, render_sticker
from vinreader.synth.samples import make_samples
from vinreader.synth.strings import WMIS, YEAR_CODES
from vinreader.vin import check_digit_required, check_digit_status, decode, is_vin_syntax

HONDA = "1HGCM82633A004352"


def _inside(polygon: np.ndarray, image: np.ndarray) -> bool:
    h, w = image.shape[:2]
    return bool(((polygon >= 0) & (polygon <= [w, h])).all())


def _std_inside(scene: Scene) -> float:
    mask = np.zeros(scene.image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(scene.polygon).astype(np.int32)], 255)
    grey = cv2.cvtColor(scene.image, cv2.COLOR_RGB2GRAY)
    return float(grey[mask > 0].std())


def _background_std(image: np.ndarray) -> float:
    """Std of the image's top-left corner patch (paint or dashboard, no text)."""
    return float(cv2.cvtColor(image[:30, :30], cv2.COLOR_RGB2GRAY).std())


@pytest.mark.parametrize("wmi", [w for wmis in WMIS.values() for w in wmis])
def test_wmis_are_known_to_vininfo(wmi):
    region = next(r for r, wmis in WMIS.items() if wmi in wmis)
    vin = Vin(wmi + HONDA[3:])
    assert vin.manufacturer and vin.manufacturer != "UnsupportedBrand"
    assert vin.region.lower().replace(" ", "_") == region


@pytest.mark.parametrize("region", [None, "north_america", "europe", "asia", "North America"])
def test_random_vin_is_valid(region):
    for seed in range(300):
        vin = random_vin(np.random.default_rng(seed), region)
        assert is_vin_syntax(vin), vin
        assert vin[9] in YEAR_CODES
        assert decode(vin).manufacturer is not None
        if check_digit_required(vin):
            assert check_digit_status(vin) == "valid", vin
        if region is not None:
            assert vin[:3] in WMIS[region.lower().replace(" ", "_")]


def test_random_vin_deterministic_and_rejects_unknown_region():
    assert random_vin(np.random.default_rng(5)) == random_vin(np.random.default_rng(5))
    with pytest.raises(ValueError):
        random_vin(np.random.default_rng(0), "mars")


@pytest.mark.parametrize("render", [render_sticker, render_plate])
def test_same_seed_same_image(render):
    a = render(HONDA, np.random.default_rng(3))
    b = render(HONDA, np.random.default_rng(3))
    c = render(HONDA, np.random.default_rng(4))
    assert a.image.tobytes() == b.image.tobytes()
    assert np.array_equal(a.polygon, b.polygon)
    assert a.image.shape != c.image.shape or a.image.tobytes() != c.image.tobytes()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("render", [render_sticker, render_plate])
def test_polygon_covers_the_vin_line(render, seed):
    scene = render(random_vin(np.random.default_rng(seed)), np.random.default_rng(seed))
    assert scene.image.dtype == np.uint8 and scene.image.ndim == 3 and scene.image.shape[2] == 3
    assert scene.image.shape[1] == 900
    assert scene.polygon.shape == (4, 2) and scene.polygon.dtype == np.float32
    assert _inside(scene.polygon, scene.image)
    (x0, y0), (x1, _), (_, y2) = scene.polygon[0], scene.polygon[1], scene.polygon[2]
    assert x1 > x0 and y2 > y0  # clockwise from top-left
    assert y2 - y0 >= 20  # cap height >= ~16 px plus the margin
    assert _std_inside(scene) > 4 * max(_background_std(scene.image), 5.0)


def test_sticker_text_is_dark_ink():
    scene = render_sticker(HONDA, np.random.default_rng(1), design="us")
    x0, y0 = np.floor(scene.polygon.min(axis=0)).astype(int)
    x1, y1 = np.ceil(scene.polygon.max(axis=0)).astype(int)
    grey = cv2.cvtColor(scene.image[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    assert 0.1 < (grey < 100).mean() < 0.6


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", ["Code39", "DataMatrix"])
def test_sticker_barcode_encodes_the_vin(kind, seed):
    rng = np.random.default_rng(seed)
    vin = random_vin(rng)
    scene = render_sticker(vin, rng, barcode=kind)
    assert [(r.text, r.format) for r in read_barcodes(scene.image)] == [(vin, kind)]


def test_sticker_rejects_unknown_barcode_and_design():
    with pytest.raises(ValueError):
        render_sticker(HONDA, np.random.default_rng(0), barcode="PDF417")
    with pytest.raises(ValueError):
        render_sticker(HONDA, np.random.default_rng(0), design="jp")
    scene = render_sticker(HONDA, np.random.default_rng(0), design="fr", width=600)
    assert scene.image.shape[1] == 600 and _inside(scene.polygon, scene.image)


@pytest.mark.parametrize("angle", [0.0, 90.0, 180.0, 270.0])
def test_place_in_photo_moves_the_polygon(angle):
    scene = render_sticker(HONDA, np.random.default_rng(2), width=600)
    photo = place_in_photo(scene, np.random.default_rng(2), photo_size=(800, 600), angle=angle)
    assert photo.image.shape == (600, 800, 3)
    assert photo.vin == HONDA and photo.kind == "door_sticker+photo"
    assert _inside(photo.polygon, photo.image)
    (w, h) = photo.polygon.max(axis=0) - photo.polygon.min(axis=0)
    assert (h > 3 * w) if angle in (90.0, 270.0) else (w > 3 * h)
    start, end = photo.polygon[0], photo.polygon[1]  # reading direction of the text
    direction = {0.0: (1, 0), 90.0: (0, -1), 180.0: (-1, 0), 270.0: (0, 1)}[angle]
    assert np.dot(end - start, direction) > 0.9 * np.linalg.norm(end - start)
    assert _std_inside(photo) > 4 * max(_background_std(photo.image), 5.0)


def test_place_in_photo_with_perspective_is_deterministic():
    scene = render_plate(HONDA, np.random.default_rng(0), width=500)
    a, b = (
        place_in_photo(scene, np.random.default_rng(9), photo_size=(640, 480), angle=10, perspective=0.05)
        for _ in range(2)
    )
    assert a.image.tobytes() == b.image.tobytes()
    assert _inside(a.polygon, a.image)
    assert _std_inside(a) > 4 * max(_background_std(a.image), 5.0)


def test_make_samples(tmp_path):
    labels = make_samples(tmp_path, seed=7)
    files = {"sticker_code39.jpg", "sticker_datamatrix.jpg", "plate.jpg", "sticker_rotated.jpg"}
    assert set(labels) == files
    assert json.loads((tmp_path / "labels.json").read_text()) == labels
    for name, vin in labels.items():
        assert is_vin_syntax(vin)
        assert (tmp_path / name).stat().st_size < 400_000
        with Image.open(tmp_path / name) as image:
            assert image.format == "JPEG"
    assert check_digit_status(labels["sticker_code39.jpg"]) == "valid"
    assert labels["sticker_datamatrix.jpg"][0] in "STUVWXYZ"
    with Image.open(tmp_path / "sticker_rotated.jpg") as image:
        assert image.size == (1600, 1200)
