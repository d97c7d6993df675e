"""`vinreader evaluate --task detection`: a detector alone on a docTR detection folder.

A prediction matches a ground-truth polygon when their IoU reaches 0.5 (one-to-one, greedy by IoU).
recall = matched ground truths / ground truths, precision = matched predictions / predictions, and
mean IoU = the mean over ground-truth polygons of their best IoU with any prediction (0 when none),
which shows how well the boxes fit, not only whether they count. Polygons may be rotated: IoU is
computed on the convex polygons (``cv2.intersectConvexConvex``), not on their bounding boxes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vinreader.data.doctr import load_detection_labels
from vinreader.io import load_image
from vinreader.models.detector import polygon_iou
from vinreader.models.registry import build_detector

IOU_MATCH = 0.5


def match_counts(
    predicted: Sequence[np.ndarray], truth: Sequence[np.ndarray], iou_threshold: float = IOU_MATCH
) -> tuple[int, list[float]]:
    """(matches at ``iou_threshold``, best IoU of each ground-truth polygon) for one image."""
    ious = np.array([[polygon_iou(p, t) for t in truth] for p in predicted]).reshape(len(predicted), len(truth))
    best = [float(ious[:, j].max()) if len(predicted) else 0.0 for j in range(len(truth))]
    matches, used_p, used_t = 0, set(), set()
    for flat in np.argsort(-ious, axis=None):
        i, j = divmod(int(flat), len(truth))
        if ious[i, j] < iou_threshold:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            matches += 1
    return matches, best


def detection_metrics(
    images: Sequence[tuple[Sequence[np.ndarray], Sequence[np.ndarray]]], iou_threshold: float = IOU_MATCH
) -> dict[str, float]:
    """Recall, precision, F1 and mean IoU over images given as (predicted, ground-truth) polygons."""
    matched, n_pred, n_true, best_ious = 0, 0, 0, []
    for predicted, truth in images:
        m, best = match_counts(predicted, truth, iou_threshold)
        matched += m
        n_pred += len(predicted)
        n_true += len(truth)
        best_ious += best
    recall = matched / n_true if n_true else 1.0
    precision = matched / n_pred if n_pred else 1.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {
        "recall": recall,
        "precision": precision,
        "f1": f1,
        "mean_iou": float(np.mean(best_ious)) if best_ious else 0.0,
    }


def evaluate_detector(detector: str, dataset: str | Path, threads: int = 0, **overrides: Any) -> dict[str, Any]:
    """Detection metrics of ``detector`` (name or card) on a docTR detection folder, with latency."""
    dataset = Path(dataset)
    labels = load_detection_labels(dataset)
    model = build_detector(detector, threads=threads, **overrides)
    pairs, seconds, misses = [], [], []
    for name in sorted(labels):
        image = load_image(dataset / "images" / name)
        start = time.perf_counter()
        boxes = model.detect(image)
        seconds.append(time.perf_counter() - start)
        truth = [np.asarray(p, np.float32) for p in labels[name]["polygons"]]
        predicted = [b.polygon for b in boxes]
        pairs.append((predicted, truth))
        if match_counts(predicted, truth)[0] < len(truth) or len(predicted) > len(truth):
            misses.append({"file": name, "predicted": len(predicted), "truth": len(truth)})
    metrics = detection_metrics(pairs)
    return {
        "detector": detector,
        "dataset": str(dataset),
        "images": len(pairs),
        **{k: round(v, 4) for k, v in metrics.items()},
        "ms_per_image_p50": round(1000 * float(np.median(seconds)), 2),
        "threads": threads,
        "errors": misses,
    }
