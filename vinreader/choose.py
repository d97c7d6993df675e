"""Score VIN candidates and decide: answer, or abstain and say why.

A candidate's *confidence* is its weakest character's probability. Its *score* discounts that by
what the VIN rules and the context say: an unknown maker code (WMI), a wrong check digit where the
region requires one, a length the decoder had to force, a window cut out of a longer string.
Agreement between barcode and text, or between several crops, raises it; so may a right check digit
where the region requires one (:data:`CHECK_DIGIT_ODDS`, for readers that pass it as a support). The
reader answers only when the best score clears a threshold chosen on validation data and no different
VIN comes close.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from vinreader.types import Candidate, CharReading
from vinreader.vin import VIN_LENGTH, check_digit_required, compute_check_digit, known_wmi

# Multipliers of the score, each for one piece of evidence against a candidate.
PENALTIES = {
    "check_digit_invalid": 0.05,  # the region requires it and it is wrong: almost surely misread
    "unknown_wmi": 0.6,  # vininfo does not know the maker code
    "length_forced": 0.5,  # CTC path had to be bent to 17 characters
    "window_of_longer_text": 0.7,  # 17 characters cut out of a longer run, no "VIN" label before it
    # Runners-up chosen to satisfy the check digit (the box reader): said, but costing nothing, since the
    # characters' probabilities are already those given a right check digit. It cost 0.8 until 2026-12-07;
    # on 2,000 generated forms 41 of 46 corrections were right, the wrong ones all below 0.33, and without
    # the cost 11 more forms were read right and none wrong (`weights/vin_charbox_history.md`).
    "check_digit_corrected": 1.0,
}
# A right required check digit multiplies the odds that a reading is right by this much: a misread
# string passes the check by chance about one time in 11, and a single misread character never does
# unless both characters have the same value in the check-digit sum (S and 2, Z and 9, ...).
# Readings corrected to satisfy the check (`check_digit_corrected`) are not raised again: their
# probabilities already assume it.
CHECK_DIGIT_ODDS = {"check_digit_confirmed": 11.0}
_CHECK_POSITION = 8  # position 9, 0-based


@dataclass(frozen=True)
class Decision:
    """The chosen candidate (or None) and why the reader is or is not sure."""

    best: Candidate | None
    answer: bool
    reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...]


def score_candidate(
    candidate: Candidate, penalties: dict[str, float] = PENALTIES, supports: dict[str, float] | None = None
) -> Candidate:
    """Candidate with its score and the reasons for it filled in from the VIN rules.

    ``penalties``: each doubt's factor on the score; ``supports``: each piece of support's factor on the
    odds ``score / (1 - score)`` (e.g. :data:`CHECK_DIGIT_ODDS`). A reason missing from both is still
    listed, but changes nothing.
    """
    reasons, supports = list(candidate.reasons), supports or {}
    score = candidate.confidence
    required = check_digit_required(candidate.vin)
    if candidate.check_digit == "invalid" and required:
        reasons.append("check_digit_invalid")
    if candidate.check_digit == "valid" and required and "check_digit_corrected" not in reasons:
        reasons.append("check_digit_confirmed")
    if not known_wmi(candidate.vin):
        reasons.append("unknown_wmi")
    for reason in reasons:
        score *= penalties.get(reason, 1.0)
    for reason in reasons:
        if reason in supports and score < 1.0:
            odds = score / (1.0 - score) * supports[reason]
            score = odds / (1.0 + odds)
    return replace(candidate, score=score, reasons=tuple(dict.fromkeys(reasons)))


def check_digit_corrected(candidate: Candidate) -> Candidate | None:
    """The most probable reading that satisfies a required check digit the candidate fails, or None.

    Each position may take its best character or one of its runners-up (the probabilities the reader
    kept); the region (first character) must stay one that requires the check digit. Among the strings
    whose check digit is right, the most probable one is taken, and each of its characters gets its
    probability *given* a right check digit (sum over all such strings), so its confidence is what the
    classifier and the check digit together support, not more. The candidate is marked
    ``check_digit_corrected`` (in :data:`PENALTIES`, costing nothing). None when the check digit is not required,
    already right, or no choice of the kept characters satisfies it.

    Example:
        >>> from vinreader.types import CharReading
        >>> chars = [CharReading(c, 0.9, ()) for c in "1HGCM82633A004352"]
        >>> chars[3] = CharReading("G", 0.6, (("C", 0.4),))  # "C" misread as "G": the check digit fails
        >>> read = "".join(c.char for c in chars)
        >>> fixed = check_digit_corrected(Candidate(read, tuple(chars), "text", 0.0, check_digit="invalid"))
        >>> fixed.vin, fixed.reasons
        ('1HGCM82633A004352', ('check_digit_corrected',))
    """
    if candidate.check_digit != "invalid" or not check_digit_required(candidate.vin):
        return None
    options = [_options(k, reading, candidate.vin) for k, reading in enumerate(candidate.chars)]
    best, marginals = _check_digit_search(options)
    if best is None:
        return None
    chars = tuple(_reading(options[k], marginals[k], char) for k, char in enumerate(best))
    reasons = (*candidate.reasons, "check_digit_corrected")
    return replace(candidate, vin=best, chars=chars, check_digit="valid", reasons=reasons)


def _options(position: int, reading: CharReading, vin: str) -> dict[str, float]:
    """The characters a position may take, with their probabilities (the region must keep its rule)."""
    options = {reading.char: reading.confidence, **dict(reading.alternatives)}
    if position == 0:
        options = {c: p for c, p in options.items() if check_digit_required(c + vin[1:])}
    return {c: p for c, p in options.items() if p > 0}


def _check_digit_search(options: list[dict[str, float]]) -> tuple[str | None, list[dict[str, float]]]:
    """Best string with a right check digit, and each position's probabilities given a right one.

    Dynamic programme over the weighted sum modulo 11 (the check digit's own weight is 0): forward
    sums (and maxima for the best string) up to each position, backward sums after it. The probability
    not kept at a position (characters beyond the runners-up) counts as a character of any value, so
    a correction is only as sure as the kept characters make it.
    """
    free = [k for k in range(len(options)) if k != _CHECK_POSITION]
    terms = {k: [(c, p, check_digit_value(c, k)) for c, p in options[k].items()] for k in free}
    check = _check_probabilities(options[_CHECK_POSITION])
    forward = [[1.0] + [0.0] * 10]
    best = [{0: (1.0, "")}]
    for k in free:
        forward.append(_sum_step(forward[-1], terms[k], +1))
        best.append(_max_step(best[-1], terms[k]))
    backward = [check]  # after the last position: the check digit must name the sum
    for k in reversed(free):
        backward.insert(0, _sum_step(backward[0], terms[k], -1))
    total = backward[0][0]
    kept_check = {10 if c == "X" else int(c): p for c, p in options[_CHECK_POSITION].items() if c.isdigit() or c == "X"}
    ends = [(prob * kept_check.get(rest, 0.0), text, rest) for rest, (prob, text) in best[-1].items()]
    prob, text, remainder = max(ends, default=(0.0, "", 0))
    if total <= 0 or prob <= 0:
        return None, []
    marginals: list[dict[str, float]] = [{} for _ in options]
    for i, k in enumerate(free):
        for c, p, value in terms[k]:
            joint = sum(forward[i][r] * p * backward[i + 1][(r + value) % 11] for r in range(11))
            marginals[k][c] = joint / total
    for c in options[_CHECK_POSITION]:
        if c.isdigit() or c == "X":
            value = 10 if c == "X" else int(c)
            marginals[_CHECK_POSITION][c] = forward[-1][value] * options[_CHECK_POSITION][c] / total
    digit = "X" if remainder == 10 else str(remainder)
    return text[:_CHECK_POSITION] + digit + text[_CHECK_POSITION:], marginals


def _check_probabilities(options: dict[str, float]) -> list[float]:
    """Probability that position 9 holds each check value 0..10 ('X'); unkept mass spread over all 33 characters."""
    kept = [0.0] * 11
    for c, p in options.items():
        if c.isdigit() or c == "X":
            kept[10 if c == "X" else int(c)] += p
    spare = max(0.0, 1.0 - sum(options.values())) / max(33 - len(options), 1)
    return [p + spare * (1 if p == 0 else 0) for p in kept]


def _sum_step(dist: list[float], terms: list[tuple[str, float, int]], sign: int) -> list[float]:
    """Distribution of the sum modulo 11 after one more position (``sign`` -1: walking backwards)."""
    spare = max(0.0, 1.0 - sum(p for _, p, _ in terms)) / 11  # unkept characters: any value
    out = [spare * sum(dist)] * 11
    for _, p, value in terms:
        for r in range(11):
            if sign > 0:
                out[(r + value) % 11] += dist[r] * p
            else:
                out[r] += dist[(r + value) % 11] * p
    return out


def _max_step(paths: dict[int, tuple[float, str]], terms: list[tuple[str, float, int]]) -> dict[int, tuple[float, str]]:
    """The most probable prefix for each sum modulo 11 after one more position (kept characters only)."""
    out: dict[int, tuple[float, str]] = {}
    for r, (prob, text) in paths.items():
        for c, p, value in terms:
            s = (r + value) % 11
            if prob * p > out.get(s, (0.0, ""))[0]:
                out[s] = (prob * p, text + c)
    return out


def check_digit_value(char: str, position: int) -> int:
    """What ``char`` at ``position`` adds to the check-digit sum (modulo 11): its value times the weight."""
    digit = compute_check_digit("0" * position + char + "0" * (VIN_LENGTH - 1 - position))
    return 10 if digit == "X" else int(digit)


def _reading(options: dict[str, float], marginals: dict[str, float], char: str) -> CharReading:
    """A character with its probability given a right check digit, runners-up likewise."""
    others = sorted(((c, p) for c, p in marginals.items() if c != char), key=lambda item: -item[1])
    return CharReading(char, marginals.get(char, 0.0), tuple(others[: max(len(options) - 1, 0)]))


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


def decide(
    candidates: list[Candidate],
    min_score: float,
    margin: float = 0.15,
    penalties: dict[str, float] = PENALTIES,
    supports: dict[str, float] | None = None,
) -> Decision:
    """Pick the best candidate; abstain below ``min_score`` or when a different VIN scores close.

    ``penalties`` and ``supports`` as in `score_candidate`.
    """
    ranked = merge_agreeing([score_candidate(c, penalties, supports) for c in candidates])
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
