"""Score VIN candidates and decide: answer, or abstain and say why.

A candidate's *confidence* is its weakest character's probability. Its *score* discounts that by
what the VIN rules and the context say: an unknown maker code (WMI), a wrong check digit where the
region requires one, a length the decoder had to force, a window cut out of a longer string.
Agreement between barcode and text, or between several crops, raises it. The reader answers only when
the best score clears a threshold chosen on validation data and no different VIN comes close.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from vinreader.types import Candidate
from vinreader.vin import check_digit_required, known_wmi

# Multipliers of the score, each for one piece of evidence against a candidate.
PENALTIES = {
    "check_digit_invalid": 0.05,  # the region requires it and it is wrong: almost surely misread
    "unknown_wmi": 0.6,  # vininfo does not know the maker code
    "length_forced": 0.5,  # CTC path had to be bent to 17 characters
    "window_of_longer_text": 0.7,  # 17 characters cut out of a longer run, no "VIN" label before it
}


@dataclass(frozen=True)
class Decision:
    """The chosen candidate (or None) and why the reader is or is not sure."""

    best: Candidate | None
    answer: bool
    reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...]


def score_candidate(candidate: Candidate) -> Candidate:
    """Candidate with its score and the reasons for it filled in from the VIN rules."""
    reasons = list(candidate.reasons)
    score = candidate.confidence
    if candidate.check_digit == "invalid" and check_digit_required(candidate.vin):
        reasons.append("check_digit_invalid")
    if not known_wmi(candidate.vin):
        reasons.append("unknown_wmi")
    for reason in reasons:
        score *= PENALTIES.get(reason, 1.0)
    return replace(candidate, score=score, reasons=tuple(dict.fromkeys(reasons)))


def merge_agreeing(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per VIN: the best-scored reading, marked 'both' when barcode and text agree."""
    by_vin: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_vin[candidate.vin].append(candidate)
    merged = []
    for readings in by_vin.values():
        best = max(readings, key=lambda c: c.score)
        sources = {c.source for c in readings} - {"both"}
        if len(sources) > 1 or best.source == "both":
            # Two independent reads of the same VIN: the barcode's checksum vouches for the text.
            best = replace(best, source="both", score=max(c.score for c in readings) ** 0.5)
        elif len(readings) > 1:
            best = replace(best, reasons=(*best.reasons, f"read_{len(readings)}_times"))
        merged.append(best)
    return sorted(merged, key=lambda c: -c.score)


def decide(candidates: list[Candidate], min_score: float, margin: float = 0.15) -> Decision:
    """Pick the best candidate; abstain below ``min_score`` or when a different VIN scores close."""
    ranked = merge_agreeing([score_candidate(c) for c in candidates])
    if not ranked:
        return Decision(None, False, ("no_vin_found",), ())
    best = ranked[0]
    reasons: list[str] = []
    if best.score < min_score:
        reasons.append("low_confidence")
    if len(ranked) > 1 and ranked[1].score >= min_score and ranked[1].score > best.score - margin:
        reasons.append("conflicting_candidates")
    reasons += [r for r in best.reasons if r in PENALTIES]
    return Decision(
        best,
        not any(r in ("low_confidence", "conflicting_candidates") for r in reasons),
        tuple(reasons),
        tuple(ranked),
    )
