"""`vinreader tune-unclip`: choose a detector's box post-processing by END-TO-END exact match.

The detector and the recognizer were trained apart, so the box that best matches a human annotation
(IoU) is not necessarily the crop the recognizer reads best. This searches ``unclip_ratio`` and the
binarization / box thresholds of ``DBPostProcessor`` for the highest exact match of the whole reader
on labelled photos (ties: fewer false answers, then higher character accuracy), and writes the
winner into the detector's model card.

The network runs once per image and rotation: probability maps are cached and only the cheap
post-processing changes across the grid. The fallback detector's boxes and the recognizer's reading
of each distinct crop are cached too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vinreader.ctc import DecodedVin
from vinreader.evaluation.evaluate import evaluate_dataset
from vinreader.models.detector import DBPostProcessor, TextBox
from vinreader.models.registry import WEIGHTS_DIR
from vinreader.pipeline import VinReader


def _key(image: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).hexdigest() + str(image.shape)


class CachedMapDetector:
    """Wraps a DBNet detector: the probability map of an image is computed once, boxes per setting."""

    def __init__(self, detector: Any) -> None:
        self.detector = detector
        self.postprocess = detector.postprocess
        self._maps: dict[str, np.ndarray] = {}

    def detect(self, image: np.ndarray) -> list[TextBox]:
        key = _key(image)
        if key not in self._maps:
            self._maps[key] = self.detector.probability_map(image)
        prob = self._maps[key]
        return self.postprocess(prob, image.shape[1] / prob.shape[1], image.shape[0] / prob.shape[0])


class CachedBoxDetector:
    """Wraps a detector whose settings do not change during tuning: boxes computed once per image."""

    def __init__(self, detector: Any) -> None:
        self.detector = detector
        self._boxes: dict[str, list[TextBox]] = {}

    def detect(self, image: np.ndarray) -> list[TextBox]:
        key = _key(image)
        if key not in self._boxes:
            self._boxes[key] = self.detector.detect(image)
        return self._boxes[key]


class CachedRecognizer:
    """Wraps a recognizer: a crop already read (same pixels) is not read again."""

    def __init__(self, recognizer: Any) -> None:
        self.recognizer = recognizer
        self._readings: dict[str, list[DecodedVin]] = {}

    def read(self, crops: list[np.ndarray]) -> list[list[DecodedVin]]:
        keys = [_key(c) for c in crops]
        todo = [i for i, k in enumerate(keys) if k not in self._readings]
        if todo:
            for i, readings in zip(todo, self.recognizer.read([crops[i] for i in todo]), strict=True):
                self._readings[keys[i]] = readings
        return [self._readings[k] for k in keys]


def card_path(detector: str) -> Path:
    """The model card json of a detector name or card path."""
    path = Path(detector)
    return path if path.suffix == ".json" else WEIGHTS_DIR / f"{detector}.json"


def tune_postprocess(
    reader: VinReader,
    dataset: str | Path,
    unclip_ratios: list[float],
    threshes: list[float],
    box_threshes: list[float],
    write: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Grid-search the post-processing of ``reader.detector`` on ``dataset``; write the best to its card.

    Returns the chosen values, the figures before and after, and every grid row.
    """
    original, recognizer, second = reader.detector, reader.recognizer, reader.fallback_recognizer
    cached = CachedMapDetector(original)
    reader.detector = cached
    reader.recognizer = CachedRecognizer(recognizer)
    if second is not None:
        reader.fallback_recognizer = CachedRecognizer(second)
    if reader.fallback_detector is not None:
        reader.fallback_detector = CachedBoxDetector(reader.fallback_detector)
    current = original.postprocess
    start = {"unclip_ratio": current.unclip_ratio, "thresh": current.thresh, "box_thresh": current.box_thresh}
    settings = [start] + [
        {"unclip_ratio": u, "thresh": t, "box_thresh": b}
        for u, t, b in itertools.product(unclip_ratios, threshes, box_threshes)
        if b >= t  # a blob's mean probability is above thresh anyway
    ]
    rows = []
    try:
        for i, setting in enumerate(settings, start=1):
            cached.postprocess = DBPostProcessor(**setting)
            reader.fallbacks = 0
            summary, outcomes = evaluate_dataset(reader, dataset)
            rows.append(
                {
                    **setting,
                    "exact": sum(o.exact for o in outcomes),
                    "false": sum(o.false_answer for o in outcomes),
                    "char_accuracy": round(summary.char_accuracy, 4),
                    "fallbacks": reader.fallbacks,
                    "images": summary.images,
                }
            )
            if progress:
                progress(i, len(settings))
    finally:
        reader.detector, reader.recognizer, reader.fallback_recognizer = original, recognizer, second
        if isinstance(reader.fallback_detector, CachedBoxDetector):
            reader.fallback_detector = reader.fallback_detector.detector
    best = max(rows, key=lambda r: (r["exact"], -r["false"], r["char_accuracy"], r is rows[0]))
    chosen = {k: best[k] for k in ("unclip_ratio", "thresh", "box_thresh")}
    original.postprocess = DBPostProcessor(**chosen)
    report = {"detector": reader.config.detector, "dataset": str(dataset), "before": rows[0], "chosen": best}
    if write:
        path = card_path(reader.config.detector)
        card = json.loads(path.read_text())
        card["config"].update(chosen)
        card["tuning"] = {"dataset": str(dataset), "before": rows[0], "chosen": best, "settings_tried": len(rows)}
        path.write_text(json.dumps(card, indent=2) + "\n")
        report["card"] = str(path)
    return {**report, "grid": rows}
