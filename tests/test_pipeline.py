"""The reader end to end on rendered images: text, barcodes, rotations, bad input, the result type."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from vinreader import ReaderConfig, VinReader
from vinreader.synth.render import place_in_photo, render_sticker
from vinreader.synth.strings import random_vin
from vinreader.vin import is_vin_syntax


def _inside(points, polygon) -> bool:
    contour = np.asarray(polygon, np.float32).reshape(-1, 1, 2)
    return all(cv2.pointPolygonTest(contour, (float(x), float(y)), True) > -8 for x, y in points)


def test_reads_rendered_sticker_with_location_and_info(reader, sticker):
    result = reader.read(sticker.image)
    assert result.vin == sticker.vin
    assert result.error is None and result.source == "text"
    assert result.check_digit == "valid"  # North American VIN: rendered with its check digit
    assert result.info is not None and result.info.region
    assert len(result.chars) == 17 and result.confidence == min(c.confidence for c in result.chars)
    assert all(len(c.alternatives) == 3 for c in result.chars)
    # The reported polygon covers the rendered VIN line's centre.
    center = np.asarray(sticker.polygon).mean(axis=0)
    assert _inside([center], result.polygon)
    json.dumps(result.to_dict())  # JSON-serializable


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_reads_rotated_photo(reader, angle):
    rng = np.random.default_rng(angle)
    scene = render_sticker(random_vin(rng, region="europe"), rng, barcode=None)
    photo = place_in_photo(scene, rng, photo_size=(1400, 1000), angle=angle)
    result = reader.read(photo.image)
    assert result.vin == scene.vin, result.to_dict()["candidates"]
    center = np.asarray(photo.polygon).mean(axis=0)
    assert _inside([center], result.polygon)


def test_barcode_and_text_agree(reader):
    rng = np.random.default_rng(5)
    scene = render_sticker(random_vin(rng, region="north_america"), rng, barcode="Code39")
    assert reader.read(scene.image).vin == scene.vin
    # The text reading must count for agreement: with the default reader, a crop vin_crnn is unsure of
    # (here 0.89 < recognizer_accept) is not read again once the barcode alone answers.
    result = VinReader(fallback_recognizer="").read(scene.image)
    assert result.vin == scene.vin
    assert result.source == "both"


def test_barcode_alone_is_enough():
    rng = np.random.default_rng(6)
    scene = render_sticker(random_vin(rng, region="europe"), rng, barcode="DataMatrix")
    # Blank the text line out: only the Data Matrix still carries the VIN.
    image = scene.image.copy()
    cv2.fillPoly(image, [np.round(scene.polygon).astype(np.int32)], (255, 255, 255))
    reader = VinReader(rotations=False)
    result = reader.read(image)
    assert result.vin == scene.vin and result.source == "barcode"


def test_abstains_on_image_without_vin(reader):
    image = np.full((480, 640, 3), 200, np.uint8)
    cv2.putText(image, "MADE IN GERMANY 1575 KG", (20, 240), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    result = reader.read(image)
    assert result.vin is None and result.needs_review and result.error is None
    assert result.reasons


def test_abstains_when_threshold_unreachable(sticker):
    result = VinReader(min_score=1.0, rotations=False).read(sticker.image)
    assert result.vin is None and "low_confidence" in result.reasons
    assert result.candidates and is_vin_syntax(result.candidates[0].vin)


def test_batch_goes_on_after_bad_input(reader, sticker, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), cv2.cvtColor(sticker.image, cv2.COLOR_RGB2BGR))
    results = list(reader.read_batch([str(bad), str(tmp_path / "missing.png"), str(good)]))
    assert [r.path for r in results] == [str(bad), str(tmp_path / "missing.png"), str(good)]
    assert "broken.jpg" in results[0].error and results[0].vin is None
    assert "missing.png" in results[1].error
    assert results[2].vin == sticker.vin and results[2].error is None


def test_unsure_crops_are_read_again_by_the_fallback_recognizer(sticker):
    options = dict(fallback_detector="", barcodes=False, rotations=False)
    # Accepting every reading of the fast recognizer: no crop is read twice.
    fast = VinReader(recognizer_accept=0.0, **options)
    assert fast.read(sticker.image).vin == sticker.vin and fast.reread_crops == 0
    # Accepting none: every crop read is read again, and only the general recognizer's readings count.
    reread = VinReader(recognizer_accept=1.0, **options)
    general = VinReader(recognizer="ppocr_v6_rec", fallback_recognizer="", **options)
    result, alone = reread.read(sticker.image), general.read(sticker.image)
    assert reread.reread_crops >= 1 and general.reread_crops == 0
    assert result.vin == alone.vin == sticker.vin
    assert [c.confidence for c in result.chars] == [c.confidence for c in alone.chars]


def test_config_is_validated():
    with pytest.raises(ValueError, match="min_score"):
        ReaderConfig(min_score=2.0)
    with pytest.raises(ValueError, match="recognizer_accept"):
        ReaderConfig(recognizer_accept=-0.1)
    with pytest.raises(ValueError, match="unknown reader option"):
        ReaderConfig.from_options({"min_scor": "0.5"})
    assert ReaderConfig.from_options({"min-score": "0.7", "barcodes": "false"}) == ReaderConfig(
        min_score=0.7, barcodes=False
    )
    strings = ["min-score=0.7", "barcodes = false"]
    assert ReaderConfig.from_strings(strings) == ReaderConfig(min_score=0.7, barcodes=False)
    with pytest.raises(ValueError, match="expected KEY=VALUE, got 'min_score'"):
        ReaderConfig.from_strings(["min_score"])


def test_unknown_model_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown model 'no_such_model'"):
        VinReader(detector="no_such_model")
