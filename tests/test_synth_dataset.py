"""Tests for the synthetic dataset writer: effects, docTR labels, determinism, previews and the CLI."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import cv2
import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from vinreader.data.doctr import load_detection_labels, load_text_labels
from vinreader.synth.cli import synth_app
from vinreader.synth.dataset import generate
from vinreader.synth.effects import crop_quad, line_metrics, photo_from_scene, recognition_crop
from vinreader.synth.preview import contact_sheet
from vinreader.synth.scenes import KINDS, render_scene
from vinreader.vin import is_vin_syntax

N = 6
PARTS = ("detection", "recognition", "e2e")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "w1"
    generate(out, N, KINDS, seed=7, workers=1, recognition_per_scene=3, progress=False)
    return out


def _files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _mask(polygon, shape):
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(polygon)).astype(np.int32)], 1)
    return mask


def test_every_part_loads_with_the_project_loaders(dataset):
    detection = load_detection_labels(dataset / "detection")
    recognition = load_text_labels(dataset / "recognition")
    e2e = load_text_labels(dataset / "e2e")
    assert len(detection) == len(e2e) == N and len(recognition) == 3 * N
    assert set(detection) == set(e2e)
    assert {name.rsplit("_", 1)[0] for name in detection} <= set(KINDS)
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["counts"] == {"detection": N, "e2e": N, "recognition": 3 * N}
    assert manifest["seed"] == 7 and manifest["kinds"] == list(KINDS)


def test_detection_polygons_are_inside_and_on_the_vin(dataset):
    for name, entry in load_detection_labels(dataset / "detection").items():
        data = (dataset / "detection" / "images" / name).read_bytes()
        assert entry["img_hash"] == hashlib.sha256(data).hexdigest()
        image = np.asarray(Image.open(dataset / "detection" / "images" / name).convert("L"))
        assert list(image.shape) == entry["img_dimensions"]
        (polygon,) = entry["polygons"]  # only the VIN line
        polygon = np.asarray(polygon)
        assert polygon.shape == (4, 2)
        assert (polygon >= 0).all() and (polygon <= [image.shape[1] - 1, image.shape[0] - 1]).all()
        assert image[_mask(polygon, image.shape) > 0].std() > 4, f"{name}: flat inside its polygon"


def test_the_polygon_follows_every_geometric_change():
    """A scene whose only bright pixels are its VIN polygon: the photo's polygon lands on them."""
    for i in range(12):
        scene = render_scene(KINDS[i % len(KINDS)], np.random.default_rng(i))
        marker = np.zeros_like(scene.image)
        cv2.fillPoly(marker, [np.round(scene.polygon).astype(np.int32)], (255, 255, 255))
        photo = photo_from_scene(scene, np.random.default_rng(100 + i))
        drawn = photo_from_scene(dataclasses.replace(scene, image=marker), np.random.default_rng(100 + i))
        np.testing.assert_array_equal(photo.polygon, drawn.polygon)  # geometry does not depend on pixels
        grey = cv2.cvtColor(drawn.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
        inside = _mask(drawn.polygon, grey.shape)
        height = max(3, round(line_metrics(drawn.polygon)[1]))
        ring = cv2.dilate(inside, np.ones((height + 8, height + 8), np.uint8)) - cv2.dilate(
            inside, np.ones((5, 5), np.uint8)
        )
        assert grey[inside > 0].mean() > 3 * (grey[ring > 0].mean() + 1), f"sample {i}"


def test_recognition_labels_and_crops(dataset):
    e2e = load_text_labels(dataset / "e2e")
    for name, vin in load_text_labels(dataset / "recognition").items():
        assert is_vin_syntax(vin), name
        assert e2e[name.rsplit("_", 1)[0] + ".jpg"] == vin
        crop = np.asarray(Image.open(dataset / "recognition" / "images" / name))
        height, width = crop.shape[:2]
        assert height >= 4 and crop.std() > 3, name
        # A 17-character line plus 0-60% of its height above and below and up to one character each
        # side: far wider than tall, never a sliver of it.
        assert 0.03 < height / width < 0.5, (name, crop.shape)


def test_crop_quad_always_holds_the_vin():
    rng = np.random.default_rng(0)
    for _ in range(300):
        length, height, angle = rng.uniform(40, 900), rng.uniform(6, 60), rng.uniform(-180, 180)
        rad = np.radians(angle)
        along, across = np.array([np.cos(rad), -np.sin(rad)]), np.array([np.sin(rad), np.cos(rad)])
        corners = np.array([[0, 0], [length, 0], [length, height], [0, height]])
        origin = rng.uniform(0, 500, 2)
        polygon = (corners[:, :1] * along + corners[:, 1:] * across + origin).astype(np.float32)
        quad = crop_quad(polygon, rng)
        for point in polygon:
            assert cv2.pointPolygonTest(quad, (float(point[0]), float(point[1])), True) >= -1e-3
        quad_length, quad_height, quad_angle = line_metrics(quad)
        # Still reads the same way: up to 3 degrees of tilt, plus the corners' jitter.
        assert abs((quad_angle - angle + 180) % 360 - 180) <= 4
        assert quad_length <= length + 2.5 * length / 17 + height
        assert quad_height <= 2.5 * height + 0.1 * length


def test_effects_are_deterministic_for_a_generator_state():
    scene = render_scene("door_sticker", np.random.default_rng(3))
    first = photo_from_scene(scene, np.random.default_rng(5))
    again = photo_from_scene(scene, np.random.default_rng(5))
    np.testing.assert_array_equal(first.image, again.image)
    np.testing.assert_array_equal(first.polygon, again.polygon)
    crop = recognition_crop(scene, np.random.default_rng(9), height=32)
    np.testing.assert_array_equal(crop, recognition_crop(scene, np.random.default_rng(9), height=32))
    assert crop.shape[0] == 32 and crop.dtype == np.uint8


def test_same_seed_same_bytes_whatever_the_workers(dataset, tmp_path):
    out = tmp_path / "w2"
    generate(out, N, KINDS, seed=7, workers=2, recognition_per_scene=3, progress=False)
    assert _files(out) == _files(dataset)


def test_different_seeds_differ(dataset, tmp_path):
    out = tmp_path / "other"
    generate(out, N, KINDS, seed=8, workers=1, parts=("e2e",), progress=False)
    assert (out / "e2e" / "labels.json").read_bytes() != (dataset / "e2e" / "labels.json").read_bytes()
    assert not (out / "detection").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": 0}, "n must be"), ({"kinds": ["bogus"]}, "unknown kind"), ({"parts": ["boxes"]}, "parts")],
)
def test_generate_rejects_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **{"n": 1, **kwargs}, progress=False)


def test_contact_sheets(dataset, tmp_path):
    for part in PARTS:
        sheet = contact_sheet(dataset, tmp_path / f"{part}.png", n=4, part=part)
        assert Image.open(sheet).size[0] > 100
    kind_sheet = contact_sheet(dataset, tmp_path / "kind.png", n=4, kind="stamped_metal")
    assert kind_sheet.is_file()


def test_cli_generate_and_preview(tmp_path):
    parent = typer.Typer()  # as the main CLI mounts it: app.add_typer(synth_app, name="synth")
    parent.command()(lambda: None)
    parent.add_typer(synth_app, name="synth")
    runner, out = CliRunner(), tmp_path / "cli"
    args = ["synth", "--out", str(out), "--n", "2", "--kinds", "door_sticker,stamped_metal", "--workers", "1"]
    result = runner.invoke(parent, [*args, "--parts", "detection", "--parts", "recognition", "-q"])
    assert result.exit_code == 0, result.output
    assert sorted(load_text_labels(out / "recognition")) == [
        f"{stem}_{k}.jpg" for stem in ("door_sticker_000000", "stamped_metal_000001") for k in range(5)
    ]
    assert not (out / "e2e").exists()
    result = runner.invoke(parent, ["synth", "preview", str(out), "--n", "2", "--part", "recognition"])
    assert result.exit_code == 0, result.output
    assert (out / "preview_recognition.png").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["--out", "{out}", "--kinds", "door_sticker,bogus"],
        ["--out", "{out}", "--n", "0"],
        ["--out", "{out}", "--parts", "boxes"],
        ["--n", "3"],  # no --out
        ["preview", "{out}", "--part", "boxes"],
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path, args):
    out = tmp_path / "out"
    result = CliRunner().invoke(synth_app, [arg.format(out=out) for arg in args])
    assert result.exit_code == 2, result.output
    assert not out.exists()
