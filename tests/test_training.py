"""Training loop, run folder, resume and ONNX export of the recognizer (tiny variant, a few steps)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from vinreader.cli import app
from vinreader.synth.strings import random_vin


def _crop_dataset(root: Path, n: int, seed: int) -> Path:
    """Grey line crops of random VINs drawn with OpenCV's font (fast, no fonts needed)."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    labels = {}
    for i in range(n):
        vin = random_vin(rng)
        image = np.full((40, 330, 3), 235, np.uint8)
        cv2.putText(image, vin, (6, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2, cv2.LINE_AA)
        cv2.imwrite(str(root / "images" / f"{i}.png"), image)
        labels[f"{i}.png"] = vin
    (root / "labels.json").write_text(json.dumps(labels))
    return root


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("recognition")
    return _crop_dataset(root / "train", 48, 1), _crop_dataset(root / "val", 8, 2)


def _train(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["train", "recognizer", *args])
    assert result.exit_code == 0, result.output


def test_train_resume_export(datasets, tmp_path):
    train, val = datasets
    runs = tmp_path / "runs"
    _train([
        "--train-path", str(train), "--train-path", f"{train}:2", "--val-path", str(val), "--arch", "crnn_vin_tiny",
        "--epochs", "2", "--batch-size", "16", "--shrink", "0.5", "--invert", "0.3", "--tilt", "0.3",
        "--output", str(runs), "--name", "tiny",
    ])  # fmt: skip
    run = runs / "tiny"
    for name in ("config.json", "metrics.csv", "curves.png", "last.pt", "best.pt"):
        assert (run / name).is_file(), name
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    assert all(np.isfinite(float(r["train_loss"])) for r in rows)
    config = json.loads((run / "config.json").read_text())
    assert config["arch"] == "crnn_vin_tiny" and config["train_paths"][1][1] == 2.0
    assert (config["shrink"], config["invert"], config["tilt"]) == (0.5, 0.3, 0.3)

    # Resume continues the same run folder from last.pt up to the new epoch count.
    _train(["--resume", str(run), "--epochs", "3"])
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2, 3]

    import torch

    checkpoint = torch.load(run / "best.pt", weights_only=False)
    assert checkpoint["meta"]["alphabet"] == "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    assert checkpoint["meta"]["input"] == {"height": 32, "width": 256, "channels": 1, "color": "grey"}

    # Export: parity with PyTorch, and the card makes the model loadable by the reader's registry.
    onnx_path = tmp_path / "model" / "tiny.onnx"
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(run), "--out", str(onnx_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["max_abs_diff"] < 1e-4
    from vinreader.models.registry import build_recognizer

    recognizer = build_recognizer(onnx_path.with_suffix(".json"))
    crop = cv2.imread(str(train / "images" / "0.png"))[:, :, ::-1]
    (probs,) = recognizer([crop])
    assert probs.shape == (64, 35) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_bad_label_is_a_clear_error(datasets, tmp_path):
    train, val = datasets
    bad = tmp_path / "bad"
    (bad / "images").mkdir(parents=True)
    (bad / "images" / "0.png").write_bytes((train / "images" / "0.png").read_bytes())
    (bad / "labels.json").write_text(json.dumps({"0.png": "VIN-WITH-IOQ"}))
    result = CliRunner().invoke(
        app, ["train", "recognizer", "--train-path", str(bad), "--val-path", str(val), "--output", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "0.png" in result.output and "outside the VIN alphabet" in result.output


def test_shrink_gives_photo_sized_crops_and_bad_probabilities_are_refused(datasets, tmp_path):
    from vinreader.training.recognizer import SHRINK_HEIGHTS, shrink_crop

    rng = np.random.default_rng(0)
    tall = np.zeros((76, 480), np.uint8)
    shrunk = [shrink_crop(tall, rng) for _ in range(50)]
    heights = {c.shape[0] for c in shrunk}
    assert min(heights) >= SHRINK_HEIGHTS[0] and max(heights) <= SHRINK_HEIGHTS[1] and len(heights) > 5
    assert all(abs(c.shape[1] / c.shape[0] - 480 / 76) < 0.2 for c in shrunk)  # aspect kept
    small = np.zeros((12, 80), np.uint8)
    assert shrink_crop(small, rng).shape == small.shape  # already a photo's size or smaller

    train, val = datasets
    result = CliRunner().invoke(
        app, ["train", "recognizer", "--train-path", str(train), "--val-path", str(val), "--invert", "1.5",
              "--output", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 2 and "--invert" in result.output


def test_tilt_turns_the_line_inside_a_grown_box():
    from vinreader.training.recognizer import TILT_DEGREES, augmenter

    line = np.full((30, 240), 210, np.uint8)
    line[10:20, 10:230] = 20  # a dark, level line of text
    tilted = [augmenter(seed, invert=0.0, tilt=1.0)(image=line)["image"] for seed in range(8)]
    # The whole line stays in the crop: the box grows by up to the height a turned line needs.
    grown = [t.shape[0] - line.shape[0] for t in tilted]
    assert max(grown) > 10 and max(grown) <= 240 * np.sin(np.radians(TILT_DEGREES)) + 10
    level = [augmenter(seed, invert=0.0, tilt=0.0)(image=line)["image"] for seed in range(8)]
    assert all(t.shape == line.shape for t in level)  # without --tilt the crop keeps its size


def test_moving_average_is_saved_and_resumed(datasets, tmp_path):
    import torch

    train, val = datasets
    runs = tmp_path / "runs"
    _train([
        "--train-path", str(train), "--val-path", str(val), "--arch", "crnn_vin_tiny", "--epochs", "1",
        "--batch-size", "16", "--ema", "0.9", "--output", str(runs), "--name", "ema",
    ])  # fmt: skip
    run = runs / "ema"
    last = torch.load(run / "last.pt", weights_only=False)
    assert json.loads((run / "config.json").read_text())["ema"] == 0.9
    # The saved model is the average, not the raw weights training goes on from.
    averaged, raw = last["model"], last["train_model"]
    assert any(not torch.equal(averaged[k], raw[k]) for k in raw if raw[k].is_floating_point())
    _train(["--resume", str(run), "--epochs", "2"])
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]


def test_moving_average_is_warmed_up_then_settles_at_its_decay():
    import torch

    from vinreader.training.loop import ema_update

    update = ema_update(0.999)
    averaged, current = [torch.zeros(3)], [torch.ones(3)]
    update(averaged, current, torch.tensor(0))
    assert torch.allclose(averaged[0], torch.full((3,), 0.9))  # decay 1/10 at the first step: follows the net
    settled = [torch.zeros(3)]
    update(settled, current, torch.tensor(50_000))
    assert torch.allclose(settled[0], torch.full((3,), 0.001))  # then the decay asked for
    counts = [torch.tensor([3])]
    update(counts, [torch.tensor([7])], torch.tensor(5))
    assert counts[0].item() == 7  # an integer buffer (batch-norm step count) takes the current value


def test_tensorboard_logs_the_metrics_of_each_epoch(datasets, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    train, val = datasets
    runs = tmp_path / "runs"
    _train([
        "--train-path", str(train), "--val-path", str(val), "--arch", "crnn_vin_tiny", "--epochs", "2",
        "--batch-size", "16", "--tensorboard", "--output", str(runs), "--name", "tb",
    ])  # fmt: skip
    events = EventAccumulator(str(runs / "tb" / "tensorboard"))
    events.Reload()
    tags = events.Tags()["scalars"]
    assert {"train/loss", "train/loss_step", "val/exact"} <= set(tags), tags
    assert [e.step for e in events.Scalars("train/loss")] == [1, 2]
    rows = list(csv.DictReader((runs / "tb" / "metrics.csv").open()))
    assert [e.value for e in events.Scalars("train/loss")] == pytest.approx([float(r["train_loss"]) for r in rows])
    assert len(events.Scalars("train/loss_step")) == 2 * 3  # 48 crops, batch 16: three steps an epoch
