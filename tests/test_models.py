"""The shipped model cards: each loads by name and reads a rendered VIN line."""

from __future__ import annotations

import pytest

from vinreader.data.teacher import crop_box
from vinreader.evaluation.metrics import best_reading
from vinreader.models.registry import available_models, build_detector, build_recognizer, load_card


@pytest.mark.parametrize("name", available_models("recognizer"))
def test_shipped_recognizer_reads_a_rendered_vin(name, sticker):
    recognizer = build_recognizer(name, threads=1)
    (readings,) = recognizer.read([crop_box(sticker.image, sticker.polygon.tolist())])
    assert all(len(r.vin) == 17 and len(r.char_probs) == 17 and r.steps > 0 for r in readings)
    assert best_reading(readings) == sticker.vin


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


def test_multi_scale_detection_keeps_each_line_once(sticker):
    import numpy as np

    from vinreader.models.detector import TextBox, merge_boxes, polygon_iou

    line = np.array([[10, 10], [110, 10], [110, 30], [10, 30]], np.float32)
    found_twice = [TextBox(line, 0.7), TextBox(line + [2, 1], 0.9), TextBox(line + [0, 40], 0.6)]
    merged = merge_boxes(found_twice)
    assert [b.score for b in merged] == [0.9, 0.6]  # the more confident of the two finds, and the other line

    plain = {"threads": 1, "extra_sides": (), "extra_below": None, "max_boxes": None}  # not the card's
    single = build_detector("vin_dbnet", **plain, input_side=256).detect(sticker.image)
    upscaled = build_detector("vin_dbnet", **plain, input_side=320).detect(sticker.image)
    both = build_detector("vin_dbnet", **{**plain, "extra_sides": (320,)}, input_side=256).detect(sticker.image)
    assert 1 <= len(both) <= len(single) + len(upscaled)
    assert all(polygon_iou(a.polygon, b.polygon) < 0.3 for i, a in enumerate(both) for b in both[i + 1 :])
    center = sticker.polygon.mean(axis=0)
    assert any(b.polygon[:, 0].min() <= center[0] <= b.polygon[:, 0].max() for b in both)

    # extra_below: the second size runs only when the first finds nothing that confident.
    def polygons(**settings):
        boxes = build_detector("vin_dbnet", **{**plain, **settings}).detect(sticker.image)
        return sorted(b.polygon.round(1).tolist() for b in boxes)

    first, second = {"input_side": 256, "extra_sides": (320,)}, {"input_side": 256}
    assert polygons(**first, extra_below=1.01) == sorted(b.polygon.round(1).tolist() for b in both)
    assert polygons(**first, extra_below=0.0) == polygons(**second)


def test_max_boxes_keeps_the_most_confident(sticker):
    import numpy as np

    two = np.vstack([sticker.image, (sticker.image * 0.8).astype(np.uint8)])  # two stickers, two VINs
    everything = build_detector("vin_dbnet", threads=1, max_boxes=None).detect(two)
    assert len(everything) >= 2
    (kept,) = build_detector("vin_dbnet", threads=1, max_boxes=1).detect(two)
    assert kept.score == max(b.score for b in everything)
    assert np.allclose(kept.polygon, max(everything, key=lambda b: b.score).polygon)
    with pytest.raises(ValueError, match="max_boxes"):
        build_detector("vin_dbnet", max_boxes=0)
