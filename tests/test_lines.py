"""Line selection, joining of split boxes, and crops."""

from __future__ import annotations

import numpy as np

from vinreader.lines import candidate_lines, crop_line, join_lines, sub_quad
from vinreader.models.detector import TextBox


def _box(x0: float, y0: float, x1: float, y1: float, score: float = 0.9) -> TextBox:
    return TextBox(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32), score)


def test_boxes_split_on_one_line_are_joined():
    # "XTA21070" and "J0495272" detected apart with a small gap, plus a line below.
    boxes = [_box(10, 10, 90, 30), _box(100, 11, 180, 31), _box(10, 60, 80, 80)]
    lines = candidate_lines(boxes, max_lines=8)
    joined = [ln for ln in lines if ln.joined]
    assert len(joined) == 1
    xs, ys = joined[0].quad[:, 0], joined[0].quad[:, 1]
    assert xs.min() <= 11 and xs.max() >= 179 and ys.min() <= 11 and ys.max() >= 30


def test_boxes_on_different_lines_or_far_apart_are_not_joined():
    from vinreader.lines import _as_line

    lines = [_as_line(b.polygon, b.score) for b in (_box(10, 10, 90, 30), _box(10, 40, 90, 60), _box(300, 10, 380, 30))]
    assert join_lines(lines) == []


def test_only_line_shaped_boxes_are_kept_longest_first():
    boxes = [_box(0, 0, 40, 40), _box(0, 50, 100, 70), _box(0, 100, 300, 120), _box(0, 200, 2000, 202)]
    lines = candidate_lines(boxes, max_lines=8)
    assert [round(ln.length) for ln in lines] == [300, 100]  # square and hairline dropped


def test_vertical_box_reads_top_to_bottom():
    (line,) = candidate_lines([_box(50, 10, 70, 200)], max_lines=8)
    assert line.length > line.thickness
    assert line.quad[1][1] > line.quad[0][1]  # reading direction points down


def test_crop_and_sub_quad():
    image = np.zeros((100, 200, 3), np.uint8)
    image[40:60, 20:180] = 255
    quad = np.array([[20, 40], [180, 40], [180, 60], [20, 60]], np.float32)
    crop = crop_line(image, quad)
    assert crop.shape[:2] == (20, 160) and crop.mean() > 240
    half = sub_quad(quad, 0.5, 1.0)
    assert np.allclose(half[0], [100, 40]) and np.allclose(half[2], [180, 60])
