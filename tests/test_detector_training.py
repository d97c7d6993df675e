"""VIN detector: target maps, detection metrics, tiny training run with resume, ONNX export parity."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from vinreader.cli import app
from vinreader.data.det_targets import THRESH_MAX, THRESH_MIN, make_targets
from vinreader.evaluation.detection import detection_metrics, polygon_iou
from vinreader.synth.dataset import generate

SAMPLE = "sticker_code39.jpg"  # a bundled sample (samples/) the shipped detector must read


def _rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_targets_shrink_inside_and_threshold_on_border():
    box = _rect(40, 100, 200, 130)  # a 160 x 30 line
    t = make_targets([box], 256, 256)
    ys, xs = np.nonzero(t.prob)
    # Shrunk by D = A (1 - 0.16) / L = 4800 * 0.84 / 380 ~ 10.6 px on every side.
    assert 49 <= xs.min() <= 52 and 188 <= xs.max() <= 191 and 110 <= ys.min() <= 112 and 117 <= ys.max() <= 120
    assert t.prob[5, 5] == 0 and t.prob_mask.min() == 1.0
    assert t.thresh[100, 120] == pytest.approx(THRESH_MAX, abs=0.02)  # on the border
    assert t.thresh[5, 5] == pytest.approx(THRESH_MIN) and t.thresh_mask[5, 5] == 0
    assert t.thresh_mask[100, 120] == 1 and t.thresh_mask[93, 120] == 1  # dilated by D

    # Too small to shrink: neither text nor background.
    tiny = make_targets([_rect(10, 10, 30, 12)], 64, 64)
    assert tiny.prob.sum() == 0 and tiny.prob_mask[11, 20] == 0 and tiny.prob_mask[40, 40] == 1


def test_polygon_iou_handles_rotation():
    square = _rect(0, 0, 10, 10)
    assert polygon_iou(square, square) == pytest.approx(1.0)
    assert polygon_iou(square, _rect(5, 0, 15, 10)) == pytest.approx(1 / 3, abs=1e-4)
    # The same square turned 45 degrees about its centre: overlap is the regular octagon.
    center = np.array([5, 5], np.float32)
    angle = np.pi / 4
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    turned = (square - center) @ rotation.T + center
    octagon = 2 * (np.sqrt(2) - 1) * 100  # area of the intersection
    assert polygon_iou(square, turned) == pytest.approx(octagon / (200 - octagon), abs=1e-3)


def test_detection_metrics_count_matches_misses_and_extras():
    a, b = _rect(0, 0, 100, 20), _rect(0, 50, 100, 70)
    shifted = _rect(10, 0, 110, 20)  # IoU 90/110
    images = [
        ([shifted], [a]),  # matched
        ([], [b]),  # missed
        ([a, _rect(200, 200, 220, 210)], [a]),  # matched + one extra
    ]
    m = detection_metrics(images)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["mean_iou"] == pytest.approx((90 / 110 + 0 + 1) / 3)
    # A box far too loose does not count at IoU 0.5.
    assert detection_metrics([([_rect(0, 0, 100, 60)], [a])])["recall"] == 0.0


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    """A few synthetic photos whose only polygon is the VIN line (docTR detection format)."""
    root = tmp_path_factory.mktemp("scenes")
    generate(root / "train", 6, seed=3, parts=("detection",), progress=False)
    generate(root / "val", 3, seed=4, parts=("detection",), progress=False)
    return root / "train" / "detection", root / "val" / "detection"


def _train(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["train", "detector", *args])
    assert result.exit_code == 0, result.output


def test_train_resume_export_detector(scenes, tmp_path):
    train, val = scenes
    runs = tmp_path / "runs"
    _train([
        "--train-path", f"{train}:2", "--val-path", str(val), "--arch", "dbnet_vin_tiny", "--input-size", "128",
        "--epochs", "2", "--batch-size", "4", "--samples-per-epoch", "8", "--output", str(runs), "--name", "tiny",
    ])  # fmt: skip
    run = runs / "tiny"
    for name in ("config.json", "metrics.csv", "curves.png", "last.pt", "best.pt"):
        assert (run / name).is_file(), name
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    assert all(np.isfinite(float(r["train_loss"])) for r in rows)
    assert {"val_recall", "val_precision", "val_mean_iou", "val_f1"} <= set(rows[0])
    config = json.loads((run / "config.json").read_text())
    assert config["arch"] == "dbnet_vin_tiny" and config["input_size"] == 128 and config["train_paths"][0][1] == 2.0

    _train(["--resume", str(run), "--epochs", "3"])
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2, 3]

    import torch

    meta = torch.load(run / "last.pt", weights_only=False)["meta"]
    assert meta["task"] == "detection" and meta["input"]["side"] == 128
    assert meta["normalization"] == {"mean": [0.5] * 3, "std": [0.5] * 3}
    assert set(meta["postprocess"]) == {"thresh", "box_thresh", "unclip_ratio"}

    onnx_path = tmp_path / "model" / "tiny_det.onnx"
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(run), "--out", str(onnx_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["max_abs_diff"] < 1e-4
    card = json.loads(onnx_path.with_suffix(".json").read_text())
    assert card["kind"] == "detector" and card["config"]["input_side"] == 128

    from vinreader.models.registry import build_detector

    detector = build_detector(onnx_path.with_suffix(".json"), box_thresh=0.0, thresh=0.0)
    image = cv2.imread(str(next((train / "images").iterdir())))[:, :, ::-1]
    prob = detector.probability_map(image)
    assert prob.shape[0] % 32 == 0 and max(prob.shape) == 128 and 0 <= prob.min() <= prob.max() <= 1
    assert isinstance(detector.detect(image), list)


def test_evaluate_detection_cli(scenes, tmp_path):
    _, val = scenes
    result = CliRunner().invoke(
        app, ["evaluate", str(val), "--task", "detection", "--detector", "ppocr_v6_det", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["images"] == 3 and 0 <= report["recall"] <= 1 and 0 <= report["precision"] <= 1


def test_shipped_vin_dbnet_finds_the_vin_on_a_sample():
    from vinreader import VinReader
    from vinreader.io import load_image
    from vinreader.models.registry import build_detector

    root = Path(__file__).resolve().parent.parent / "samples"
    labels = json.loads((root / "labels.json").read_text())
    detector = build_detector("vin_dbnet")
    assert (detector.input_side, detector.extra_sides, detector.max_boxes) == (320, (384,), 1)
    assert detector.channel_order == "RGB"
    image = load_image(root / SAMPLE)
    boxes = detector.detect(image)
    assert boxes, "no box on the sample"
    # Barcodes and the fallback off: the VIN must come from our detector's box.
    reader = VinReader(detector="vin_dbnet", fallback_detector="", barcodes=False)
    result = reader.read(root / SAMPLE)
    assert result.vin == labels[SAMPLE] and reader.fallbacks == 0


def test_fallback_detector_is_counted():
    from vinreader import VinReader

    reader = VinReader(detector="vin_dbnet", barcodes=False, rotations=False)
    result = reader.read(np.full((256, 256, 3), 255, np.uint8))
    assert result.vin is None and reader.fallbacks == 1
