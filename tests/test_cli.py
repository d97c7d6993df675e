"""The `vinreader` command, run in-process with typer's runner."""

from __future__ import annotations

import csv
import io
import json

import cv2
import pytest
from typer.testing import CliRunner

from vinreader.cli import app


@pytest.fixture(scope="module")
def folder(tmp_path_factory, sticker):
    """A folder with a readable sticker in a subfolder, a corrupt JPEG and a text file."""
    root = tmp_path_factory.mktemp("inputs")
    (root / "sub").mkdir()
    cv2.imwrite(str(root / "sub" / "sticker.png"), cv2.cvtColor(sticker.image, cv2.COLOR_RGB2BGR))
    (root / "corrupt.jpg").write_bytes(b"\xff\xd8\xff garbage")
    (root / "notes.txt").write_text("not an image, and not picked up from a folder")
    return root


def test_jsonl_over_a_folder_reports_every_file_and_exits_1(folder, sticker):
    result = CliRunner().invoke(app, ["read", str(folder), "--format", "jsonl"])
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    by_name = {r["path"].rsplit("/", 1)[-1]: r for r in rows}
    assert set(by_name) == {"sticker.png", "corrupt.jpg"}  # recursive, images only
    for r in rows:
        assert {"path", "vin", "confidence", "check_digit", "source", "error"} <= set(r)
    assert by_name["sticker.png"]["vin"] == sticker.vin and by_name["sticker.png"]["error"] is None
    assert "corrupt.jpg" in by_name["corrupt.jpg"]["error"]


def test_all_read_exits_0_and_csv_is_parseable(folder, sticker):
    result = CliRunner().invoke(app, ["read", str(folder / "sub" / "*.png"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["vin"] for r in rows] == [sticker.vin]


def test_table_and_json_formats(folder, sticker):
    table = CliRunner().invoke(app, ["read", str(folder / "sub" / "sticker.png")])
    assert table.exit_code == 0 and sticker.vin in table.stdout
    as_json = CliRunner().invoke(app, ["read", str(folder / "sub" / "sticker.png"), "-f", "json"])
    assert json.loads(as_json.stdout)[0]["vin"] == sticker.vin


def test_stdin(folder, sticker):
    data = (folder / "sub" / "sticker.png").read_bytes()
    result = CliRunner().invoke(app, ["read", "-", "--format", "jsonl"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["vin"] == sticker.vin


def test_visualize_writes_overlays(folder, tmp_path):
    result = CliRunner().invoke(app, ["read", str(folder), "-f", "jsonl", "--visualize", str(tmp_path)])
    assert result.exit_code == 1
    overlay = cv2.imread(str(tmp_path / "sticker.png"))
    assert overlay is not None and overlay.shape[0] > 100
    assert not (tmp_path / "corrupt.png").exists()


def test_usage_errors_exit_2(folder):
    runner = CliRunner()
    assert runner.invoke(app, ["read", str(folder), "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["read", str(folder), "--reader-option", "nonsense=1"]).exit_code == 2
    assert runner.invoke(app, ["read", str(folder), "--reader-option", "min_score"]).exit_code == 2
    assert runner.invoke(app, ["evaluate", str(folder)]).exit_code == 2  # no labels.json


def test_evaluate_writes_report(folder, sticker, tmp_path):
    dataset = tmp_path / "dataset"
    (dataset / "images").mkdir(parents=True)
    (dataset / "images" / "a.png").write_bytes((folder / "sub" / "sticker.png").read_bytes())
    (dataset / "images" / "b.png").write_bytes((folder / "sub" / "sticker.png").read_bytes())
    # b's label is deliberately wrong: the reader's answer then counts as a false answer.
    wrong = "1" * 17 if sticker.vin != "1" * 17 else "2" * 17
    (dataset / "labels.json").write_text(json.dumps({"a.png": sticker.vin, "b.png": wrong}))
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["evaluate", str(dataset), "--out", str(out), "-o", "rotations=false"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["exact_match"] == 0.5
    assert report["summary"]["false_answer_rate"] == 0.5
    assert report["reader_config"]["rotations"] is False
    rows = list(csv.DictReader((out / "per_image.csv").open()))
    assert [r["exact"] for r in rows] == ["1", "0"]


def test_evaluate_recognition_task(sticker, tmp_path):
    from vinreader.data.teacher import crop_box

    dataset = tmp_path / "crops"
    (dataset / "images").mkdir(parents=True)
    crop = crop_box(sticker.image, sticker.polygon.tolist())
    cv2.imwrite(str(dataset / "images" / "vin.png"), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
    (dataset / "labels.json").write_text(json.dumps({"vin.png": sticker.vin}))
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["evaluate", str(dataset), "--task", "recognition", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["crops"] == 1 and report["exact_match"] == 1.0 and report["ms_per_crop_p50"] > 0
