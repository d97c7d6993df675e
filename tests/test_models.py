"""The shipped model cards: each loads by name and reads a rendered VIN line."""

from __future__ import annotations

import pytest

from vinreader.data.teacher import crop_box
from vinreader.evaluation.metrics import best_reading
from vinreader.models.registry import available_models, build_detector, build_recognizer, load_card


@pytest.mark.parametrize("name", available_models("recognizer"))
def test_shipped_recognizer_reads_a_rendered_vin(name, sticker):
    recognizer = build_recognizer(name, threads=1)
    (probs,) = recognizer([crop_box(sticker.image, sticker.polygon.tolist())])
    assert probs.shape[1] == 35
    assert best_reading(probs) == sticker.vin


def test_shipped_models_are_listed_with_cards():
    assert {"ppocr_v6_rec", "vin_crnn"} <= set(available_models("recognizer"))
    assert "ppocr_v6_det" in available_models("detector")
    for name in available_models("recognizer") + available_models("detector"):
        card, base = load_card(name)
        assert (base / card["card"]).is_file(), f"{name}: model card markdown missing"


def test_detector_finds_the_rendered_vin_line(sticker):
    boxes = build_detector("ppocr_v6_det", threads=1).detect(sticker.image)
    center = sticker.polygon.mean(axis=0)
    assert any(
        b.polygon[:, 0].min() <= center[0] <= b.polygon[:, 0].max()
        and b.polygon[:, 1].min() <= center[1] <= b.polygon[:, 1].max()
        for b in boxes
    )


def test_wrong_kind_is_rejected():
    with pytest.raises(ValueError, match="is a recognizer, not a detector"):
        build_detector("vin_crnn")


@pytest.mark.parametrize("height", [32, 48])
def test_crnn_collapses_any_multiple_of_16_to_one_row(height):
    import torch

    from vinreader.nets.registry import build_net

    net = build_net("crnn_vin_tiny", num_classes=34, in_channels=1, height=height).eval()
    with torch.no_grad():
        logits = net(torch.zeros(2, 1, height, 256))
    assert tuple(logits.shape) == (2, 64, 34)
    with pytest.raises(ValueError, match="multiple of 16"):
        build_net("crnn_vin_tiny", height=40)
