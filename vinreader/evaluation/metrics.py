"""End-to-end VIN metrics: what a user of the reader cares about.

* exact match: the answer equals the label in all 17 characters (abstentions count as misses);
* false answers: the reader answered and was wrong (the worst outcome);
* abstain rate: no answer (or an input error);
* character accuracy: position-wise agreement of the reader's best candidate with the label, whether
  it answered or not (no candidate: 0 of 17), showing how close the abstentions were.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from vinreader.ctc import DecodedVin, decode_vins
from vinreader.vin import VIN_LENGTH


@dataclass(frozen=True)
class ImageOutcome:
    """One evaluated image."""

    file: str
    label: str
    vin: str | None
    best_candidate: str | None
    confidence: float
    seconds: float
    error: str | None = None

    @property
    def exact(self) -> bool:
        return self.vin == self.label

    @property
    def false_answer(self) -> bool:
        return self.vin is not None and self.vin != self.label

    @property
    def correct_chars(self) -> int:
        if not self.best_candidate:
            return 0
        return sum(a == b for a, b in zip(self.best_candidate, self.label, strict=False))


@dataclass(frozen=True)
class Summary:
    """Aggregate figures over a dataset (rates in [0, 1], latencies in seconds)."""

    images: int
    exact_match: float
    false_answer_rate: float
    abstain_rate: float
    char_accuracy: float
    errors: int
    latency_p50: float
    latency_p90: float

    def to_dict(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def summarize(outcomes: list[ImageOutcome]) -> Summary:
    """Summary of a list of outcomes; an empty list is an error (nothing was evaluated)."""
    if not outcomes:
        raise ValueError("no images were evaluated")
    n = len(outcomes)
    seconds = np.array([o.seconds for o in outcomes])
    return Summary(
        images=n,
        exact_match=sum(o.exact for o in outcomes) / n,
        false_answer_rate=sum(o.false_answer for o in outcomes) / n,
        abstain_rate=sum(o.vin is None for o in outcomes) / n,
        char_accuracy=sum(o.correct_chars for o in outcomes) / (n * VIN_LENGTH),
        errors=sum(o.error is not None for o in outcomes),
        latency_p50=float(np.percentile(seconds, 50)),
        latency_p90=float(np.percentile(seconds, 90)),
    )


def best_reading(readings: list[DecodedVin]) -> str:
    """The reader's choice among the VIN readings of one crop: the most confident weakest character."""
    if not readings:
        return ""
    return max(readings, key=lambda r: (not r.length_forced, min(r.char_probs))).vin


def reading_metrics(read: list[str], texts: list[str]) -> dict[str, float]:
    """Exact match and position-wise character accuracy of the strings ``read`` against ``texts``."""
    exact = sum(r == t for r, t in zip(read, texts, strict=True)) / max(1, len(texts))
    chars = sum(sum(a == b for a, b in zip(r, t, strict=False)) for r, t in zip(read, texts, strict=True))
    return {"val_exact": exact, "val_char_acc": chars / max(1, sum(len(t) for t in texts))}


def recognition_metrics(probs: list[np.ndarray], texts: list[str]) -> dict[str, float]:
    """Exact match and position-wise character accuracy of constrained readings of CTC ``probs``."""
    return reading_metrics([best_reading(decode_vins(p)) for p in probs], texts)
