"""Label real VIN crops with a teacher: the general recognizer under our constrained decoding.

Real photos with a VIN box but no VIN text (``vin-detection-real/train``) become recognition data
when a strong general recognizer reads the box confidently *and* the string obeys the VIN rules:
17 characters of the alphabet, no wrong check digit where the region requires one, no length the
decoder had to force, and a single clear reading. What the teacher is unsure of is left out, never guessed.

    vinreader teacher-label ../shared/data/vin-detection-real/train --out data/teacher-train

A kept box may also be written in other *views* with the same label: cut with other margins (a wider
one shows the real neighbouring lines the reader's crops hold) and as our own detector crops it
(``--view-detector vin_dbnet``: the crop the recognizer gets end to end). The label belongs to the box,
so every view of it carries the teacher's reading of the standard crop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vinreader.choose import PENALTIES, decide
from vinreader.data.doctr import load_detection_labels
from vinreader.io import InputError, load_image
from vinreader.lines import candidate_lines, crop_line
from vinreader.models.detector import order_quad, polygon_cover, polygon_iou
from vinreader.models.registry import build_detector, build_recognizer
from vinreader.pipeline import text_candidate  # one conversion from decoding to candidates


@dataclass(frozen=True)
class TeacherLabel:
    """The teacher's verdict on one box: the VIN (None when not kept), why, and what it read."""

    file: str
    box: int
    vin: str | None
    confidence: float
    reason: str
    reading: str | None = None


def box_quad(polygon: list[list[float]], margin: float = 0.15) -> np.ndarray:
    """The labelled box as a rotated rectangle (long side horizontal) grown by ``margin`` x its height."""
    quad = np.asarray(polygon, np.float32).reshape(-1, 2)
    (cx, cy), (w, h), angle = cv2.minAreaRect(quad)
    if w < h:  # keep the long side horizontal
        w, h, angle = h, w, angle + 90
    pad = margin * h
    return order_quad(cv2.boxPoints(((cx, cy), (w + 2 * pad, h + 2 * pad), angle)))


def crop_box(image: np.ndarray, polygon: list[list[float]], margin: float = 0.15) -> np.ndarray:
    """The labelled box, straightened, with ``margin`` x its height added on every side.

    The same cut as ``vin-real-dev/recognition`` (15% of the box height), so teacher-labelled crops
    look like the crops the recognizer is validated on.
    """
    return crop_line(image, box_quad(polygon, margin))


DETECTION_COVER = 0.95  # share of the labelled box a detector crop must hold to be a view of it


def views(
    image: np.ndarray, polygon: list[list[float]], margins: tuple[float, ...], detected: list[np.ndarray]
) -> list[tuple[str, np.ndarray]]:
    """Other crops of one labelled box: ``(tag, crop)`` per margin, and the detected line that matches
    the box best when its IoU with the box reaches 0.5 *and* it holds at least ``DETECTION_COVER`` of the
    box (a detection elsewhere is another line's crop; one that cuts characters off would teach the
    recognizer to read characters it cannot see)."""
    out = [(f"m{round(margin * 100)}", crop_box(image, polygon, margin)) for margin in margins]
    box = box_quad(polygon, 0.0)
    scored = sorted(((polygon_iou(quad, box), i) for i, quad in enumerate(detected)), reverse=True)
    if scored and scored[0][0] >= 0.5 and polygon_cover(detected[scored[0][1]], box) >= DETECTION_COVER:
        out.append(("det", crop_line(image, detected[scored[0][1]])))
    return out


def teacher_label(
    dataset: Path,
    out: Path | None = None,
    recognizer: str = "ppocr_v6_rec",
    min_confidence: float = 0.9,
    files: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    agree_with: str | None = None,
    agree_min_confidence: float = 0.5,
    view_margins: tuple[float, ...] = (),
    view_detector: str | None = None,
) -> list[TeacherLabel]:
    """Label every box of a docTR detection dataset; write the kept crops as a recognition dataset.

    Args:
        dataset: ``images/`` + ``labels.json`` with polygons around VINs.
        out: where to write ``images/*.png`` + ``labels.json`` (file -> VIN) of the kept crops.
        recognizer: the teacher (a model name or card path).
        min_confidence: the weakest character must reach this probability.
        agree_with: a second, independently trained recognizer (name or card). A box the teacher reads
            with a confidence between ``agree_min_confidence`` and ``min_confidence`` is kept when this
            model reads exactly the same VIN (two models rarely make the same mistake).
        agree_min_confidence: the teacher's lowest confidence still worth a second opinion.
        view_margins: also write each kept box cut with these margins (``NAME_m40.png`` for 0.4).
        view_detector: also write the line this detector finds on each kept box (``NAME_det.png``).
        files: only these images (default: all).
        progress: called with (done, total).
    """
    labels = load_detection_labels(dataset)
    teacher = build_recognizer(recognizer)
    second = build_recognizer(agree_with) if agree_with else None
    detector = build_detector(view_detector) if view_detector else None
    names = sorted(files if files is not None else labels)
    verdicts: list[TeacherLabel] = []
    kept: dict[str, str] = {}
    if out is not None:
        (out / "images").mkdir(parents=True, exist_ok=True)
    for done, name in enumerate(names, start=1):
        try:
            image = load_image(dataset / "images" / name)
        except InputError as exc:
            verdicts.append(TeacherLabel(name, 0, None, 0.0, f"unreadable: {exc}"))
            continue
        detected: list[np.ndarray] | None = None
        for index, polygon in enumerate(labels[name]["polygons"]):
            crop = crop_box(image, polygon)
            verdict = _judge(teacher, crop, name, index, min_confidence)
            if second is not None and verdict.reason == "low_confidence" and verdict.confidence >= agree_min_confidence:
                verdict = _second_opinion(second, crop, verdict)
            verdicts.append(verdict)
            if verdict.vin and out is not None:
                if detected is None:
                    lines = candidate_lines(detector.detect(image), max_lines=8) if detector else []
                    detected = [line.quad for line in lines]
                stem = f"{Path(name).stem}_{index}"
                for tag, view in [("", crop), *views(image, polygon, view_margins, detected)]:
                    crop_name = f"{stem}_{tag}.png" if tag else f"{stem}.png"
                    cv2.imwrite(str(out / "images" / crop_name), cv2.cvtColor(view, cv2.COLOR_RGB2BGR))
                    kept[crop_name] = verdict.vin
        if progress:
            progress(done, len(names))
    if out is not None:
        (out / "labels.json").write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
    return verdicts


def _reading(model, crop: np.ndarray) -> tuple[str | None, float, list[str]]:
    """A model's best VIN in the crop read both ways up (boxes may be upside down), its confidence
    and the doubts about it.

    Russian and other assembly plants' maker codes are often unknown to vininfo: not a reason to
    doubt a reading. Every other penalty (wrong check digit, forced length, a window of longer text)
    and any second reading that comes close are doubts.
    """
    quad = np.zeros((4, 2), np.float32)
    candidates = [
        text_candidate(decoded, quad, 0, turned=False)
        for readings in model.read([crop, np.rot90(crop, 2)])
        for decoded in readings
    ]
    decision = decide(candidates, min_score=0.0)
    best = decision.best
    if best is None:
        return None, 0.0, []
    doubts = [r for r in (*decision.reasons, *best.reasons) if r in PENALTIES and r != "unknown_wmi"]
    if "conflicting_candidates" in decision.reasons:
        doubts.append("conflicting_candidates")
    return best.vin, best.confidence, list(dict.fromkeys(doubts))


def _judge(teacher, crop: np.ndarray, name: str, index: int, min_confidence: float) -> TeacherLabel:
    """Keep only a clear, rule-abiding VIN."""
    vin, confidence, doubts = _reading(teacher, crop)
    if vin is None:
        return TeacherLabel(name, index, None, 0.0, "no_vin_read")
    if doubts:
        return TeacherLabel(name, index, None, confidence, ",".join(doubts), vin)
    if confidence < min_confidence:
        return TeacherLabel(name, index, None, confidence, "low_confidence", vin)
    return TeacherLabel(name, index, vin, confidence, "kept", vin)


def _second_opinion(second, crop: np.ndarray, verdict: TeacherLabel) -> TeacherLabel:
    """Keep a rule-abiding but unsure teacher reading when the second model reads the same VIN."""
    vin, _, doubts = _reading(second, crop)
    if vin is not None and not doubts and vin == verdict.reading:
        return TeacherLabel(verdict.file, verdict.box, vin, verdict.confidence, "kept_agreed", vin)
    return verdict
