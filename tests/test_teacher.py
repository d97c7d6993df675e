"""The teacher labeller: real-style VIN boxes in, only clear readings kept, labels equal to the VIN."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from vinreader.data.doctr import load_text_labels
from vinreader.data.teacher import teacher_label, views
from vinreader.models.detector import polygon_iou
from vinreader.synth.render import render_sticker
from vinreader.synth.strings import random_vin


@pytest.fixture(scope="module")
def boxes_dataset(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A docTR detection folder of three rendered stickers with a box on the VIN, and their VINs."""
    root = tmp_path_factory.mktemp("boxes")
    (root / "images").mkdir()
    labels, truth = {}, {}
    for i in range(3):
        rng = np.random.default_rng(100 + i)
        scene = render_sticker(random_vin(rng, region="north_america"), rng, barcode=None)
        name = f"sticker_{i}.png"
        cv2.imwrite(str(root / "images" / name), cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        h, w = scene.image.shape[:2]
        digest = hashlib.sha256((root / "images" / name).read_bytes()).hexdigest()
        labels[name] = {"img_dimensions": [h, w], "img_hash": digest, "polygons": [scene.polygon.tolist()]}
        truth[name] = scene.vin
    (root / "labels.json").write_text(json.dumps(labels))
    return root, truth


def test_teacher_keeps_clear_readings_with_the_right_vin(boxes_dataset, tmp_path):
    root, truth = boxes_dataset
    verdicts = teacher_label(root, tmp_path / "out", min_confidence=0.9)
    kept = {v.file: v.vin for v in verdicts if v.vin}
    assert len(kept) >= 2
    assert all(truth[file] == vin for file, vin in kept.items())
    written = load_text_labels(tmp_path / "out")
    assert sorted(written.values()) == sorted(kept.values())
    assert all((tmp_path / "out" / "images" / name).is_file() for name in written)


def test_teacher_keeps_nothing_it_is_not_sure_of(boxes_dataset):
    root, _ = boxes_dataset
    verdicts = teacher_label(root, None, min_confidence=1.01)  # no reading is that sure
    assert [v.vin for v in verdicts] == [None] * len(verdicts)
    assert {v.reason for v in verdicts} <= {"low_confidence", "no_vin_read"}
    assert all(v.reading for v in verdicts if v.reason == "low_confidence")


def test_second_opinion_keeps_unsure_readings_both_models_agree_on(boxes_dataset):
    root, truth = boxes_dataset
    verdicts = teacher_label(root, None, min_confidence=1.01, agree_with="vin_crnn", agree_min_confidence=0.0)
    agreed = [v for v in verdicts if v.reason == "kept_agreed"]
    assert agreed
    assert all(v.vin == truth[v.file] for v in agreed)


def test_views_of_a_kept_box_carry_its_label(boxes_dataset, tmp_path):
    root, truth = boxes_dataset
    verdicts = teacher_label(root, tmp_path / "out", min_confidence=0.9, view_margins=(0.4,))
    kept = {Path(v.file).stem: v.vin for v in verdicts if v.vin}
    written = load_text_labels(tmp_path / "out")
    assert sorted(written) == sorted([f"{stem}_0.png" for stem in kept] + [f"{stem}_0_m40.png" for stem in kept])
    for stem, vin in kept.items():
        assert written[f"{stem}_0_m40.png"] == vin
        standard = cv2.imread(str(tmp_path / "out" / "images" / f"{stem}_0.png"))
        wide = cv2.imread(str(tmp_path / "out" / "images" / f"{stem}_0_m40.png"))
        # 40% of the box height on each side instead of 15%: a taller crop for the same line.
        assert wide.shape[0] > standard.shape[0] * 1.2
        assert wide.shape[1] / wide.shape[0] < standard.shape[1] / standard.shape[0]


def test_detector_view_only_where_the_detection_covers_the_box():
    image = np.full((100, 200, 3), 255, np.uint8)
    polygon = [[20, 40], [180, 40], [180, 60], [20, 60]]
    on_box = np.array([[16, 37], [184, 37], [184, 63], [16, 63]], np.float32)  # a little looser
    elsewhere = np.array(polygon, np.float32) + [0, 30]  # the line below: no overlap
    assert [tag for tag, _ in views(image, polygon, (), [elsewhere, on_box])] == ["det"]
    assert [tag for tag, _ in views(image, polygon, (0.05,), [elsewhere])] == ["m5"]
    assert polygon_iou(on_box, np.array(polygon, np.float32)) > 0.7
    cut_short = np.array([[30, 40], [180, 40], [180, 60], [30, 60]], np.float32)  # IoU 0.94, first character lost
    assert views(image, polygon, (), [cut_short]) == []
