"""The teacher labeller: real-style VIN boxes in, only clear readings kept, labels equal to the VIN."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from vinreader.data.doctr import load_text_labels
from vinreader.data.teacher import teacher_label
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
