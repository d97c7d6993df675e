"""`vinreader evaluate --task recognition`: a recognizer alone on labelled line crops.

Each crop is read the way the reader reads a line (constrained decoding, the most confident VIN
reading); exact match and character accuracy are reported with the latency per crop (batch 1),
decoding included (a vote of recognizers, `models.voting`, decodes each member's output).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from vinreader.data.doctr import load_text_labels
from vinreader.evaluation.metrics import best_reading, reading_metrics
from vinreader.io import load_image
from vinreader.models.registry import build_recognizer


def evaluate_recognizer(recognizer: str, dataset: str | Path, threads: int = 1) -> dict[str, Any]:
    """Exact match, character accuracy and median ms per crop of ``recognizer`` on ``dataset``."""
    dataset = Path(dataset)
    labels = load_text_labels(dataset)
    model = build_recognizer(recognizer, threads=threads)
    read, texts, seconds, rows = [], [], [], []
    for name in sorted(labels):
        crop = load_image(dataset / "images" / name)
        start = time.perf_counter()
        (readings,) = model.read([crop])
        seconds.append(time.perf_counter() - start)
        read.append(best_reading(readings))
        texts.append(labels[name])
        rows.append({"file": name, "label": labels[name], "read": read[-1]})
    metrics = reading_metrics(read, texts)
    return {
        "recognizer": recognizer,
        "dataset": str(dataset),
        "crops": len(texts),
        "exact_match": round(metrics["val_exact"], 4),
        "char_accuracy": round(metrics["val_char_acc"], 4),
        "ms_per_crop_p50": round(1000 * float(np.median(seconds)), 2),
        "threads": threads,
        "errors": [r for r in rows if r["read"] != r["label"]],
    }
