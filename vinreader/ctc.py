"""Constrained CTC decoding: find the 17-character VINs a recognizer's probabilities support.

Input is a (T, 35) matrix over ``[blank, 33 VIN characters, other]`` (see
``vinreader.models.recognizer``). A line may hold more than the VIN ("VIN XTA21070...", an approval
number, a weight), so decoding first splits the best path at characters outside the VIN alphabet,
then reads each run of VIN characters:

* a run of exactly 17 characters is one candidate;
* a longer run gives every 17-character window as a candidate (the chooser's grammar decides);
* a run of 15–19 characters is also decoded by a Viterbi search constrained to emit exactly 17
  characters, which recovers a doubled character CTC merged or drops a spurious one; such candidates
  are marked ``length_forced`` so the chooser can trust them less.

Every character keeps its probability (the peak over its timesteps) and its top alternatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vinreader.vin import VIN_ALPHABET, VIN_LENGTH

BLANK = 0
OTHER = len(VIN_ALPHABET) + 1
_EPS = 1e-12


@dataclass(frozen=True)
class DecodedVin:
    """A 17-character reading with per-character probabilities and alternatives."""

    vin: str
    char_probs: tuple[float, ...]
    alternatives: tuple[tuple[tuple[str, float], ...], ...]
    spans: tuple[tuple[int, int], ...]
    """For each character, the [first, last] timestep it was emitted on."""
    length_forced: bool = False
    window_of_longer: bool = False
    """Cut out of a run of more than 17 VIN characters."""
    after_keyword: bool = False
    """Preceded on its line by the label "VIN" (read as V1N or VN, since I folds onto 1)."""
    steps: int = 0
    """Timesteps of the line it was read from (``spans`` map onto the crop as ``t / steps``)."""


def greedy_path(probs: np.ndarray) -> list[tuple[int, int, int]]:
    """Best-path tokens as (class, first timestep, last timestep), blanks removed, repeats merged."""
    best = probs.argmax(axis=1)
    tokens: list[tuple[int, int, int]] = []
    previous = BLANK
    for t, cls in enumerate(best.tolist()):
        if cls != BLANK and cls == previous:
            tokens[-1] = (cls, tokens[-1][1], t)
        elif cls != BLANK:
            tokens.append((cls, t, t))
        previous = cls
    return tokens


def _runs(tokens: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Split tokens into runs of VIN characters at every 'other' token."""
    runs: list[list[tuple[int, int, int]]] = [[]]
    for token in tokens:
        if token[0] == OTHER:
            runs.append([])
        else:
            runs[-1].append(token)
    return [run for run in runs if run]


def _reading(
    probs: np.ndarray, classes: list[int], spans: list[tuple[int, int]], top_k: int, **flags: bool
) -> DecodedVin:
    char_probs, alternatives = [], []
    for cls, (first, last) in zip(classes, spans, strict=True):
        segment = probs[first : last + 1, 1:OTHER]
        peak = first + int(segment[:, cls - 1].argmax())
        char_probs.append(float(probs[peak, cls]))
        row = probs[peak, 1:OTHER].copy()
        row[cls - 1] = -1.0
        order = np.argsort(-row)[:top_k]
        alternatives.append(tuple((VIN_ALPHABET[i], float(row[i])) for i in order))
    vin = "".join(VIN_ALPHABET[c - 1] for c in classes)
    return DecodedVin(vin, tuple(char_probs), tuple(alternatives), tuple(spans), steps=len(probs), **flags)


def viterbi_fixed_length(log_probs: np.ndarray, length: int) -> tuple[list[int], list[tuple[int, int]], float] | None:
    """Best CTC path over [blank, VIN characters] that emits exactly ``length`` characters.

    Args:
        log_probs: (T, 34) log probabilities of blank and the 33 VIN characters.
        length: the number of characters to emit.

    Returns:
        (classes 1..33, per-character [first, last] timesteps, path log probability), or None when
        there are too few timesteps.
    """
    steps, n_cls = log_probs.shape
    if steps < length:
        return None
    neg = -np.inf
    # score[k, c]: best path that emitted k characters and is now on class c (0 = blank).
    score = np.full((length + 1, n_cls), neg)
    score[0, 0] = log_probs[0, 0]
    score[1, 1:] = log_probs[0, 1:]
    back = np.zeros((steps, length + 1, n_cls, 2), np.int16)
    for t in range(1, steps):
        new = np.full_like(score, neg)
        # Stay on blank, or move to blank from any class, keeping k.
        best_k = score.max(axis=1)
        arg_k = score.argmax(axis=1)
        new[:, 0] = best_k + log_probs[t, 0]
        back[t, :, 0, 0] = np.arange(length + 1)
        back[t, :, 0, 1] = arg_k
        # Repeat the same character (k unchanged) ...
        stay = score[:, 1:]
        # ... or emit a new character from blank or from a different character (k - 1 -> k).
        prev = score[:-1]
        from_blank = prev[:, 0:1]
        chars = prev[:, 1:]
        order = np.argsort(-chars, axis=1)
        top1, top2 = order[:, 0], order[:, 1]
        best_other = np.take_along_axis(chars, top1[:, None], 1).repeat(n_cls - 1, 1)
        second = np.take_along_axis(chars, top2[:, None], 1)
        is_top1 = np.arange(n_cls - 1)[None, :] == top1[:, None]
        best_other = np.where(is_top1, second, best_other)
        other_arg = np.where(is_top1, top2[:, None], top1[:, None]) + 1
        advance = np.maximum(from_blank, best_other)
        advance_arg = np.where(from_blank >= best_other, 0, other_arg)
        stay_part = stay[1:]
        use_stay = stay_part >= advance
        new[1:, 1:] = np.where(use_stay, stay_part, advance) + log_probs[t, 1:]
        back[t, 1:, 1:, 0] = np.where(use_stay, np.arange(1, length + 1)[:, None], np.arange(length)[:, None])
        back[t, 1:, 1:, 1] = np.where(use_stay, np.arange(1, n_cls)[None, :], advance_arg)
        score = new
    end_cls = int(score[length].argmax())
    total = float(score[length, end_cls])
    if not np.isfinite(total):
        return None
    # Trace back the path, then group timesteps by emitted character.
    path = []
    k, cls = length, end_cls
    for t in range(steps - 1, -1, -1):
        path.append((k, cls))
        if t:
            k, cls = (int(v) for v in back[t, k, cls])
    path.reverse()
    classes: list[int] = []
    spans: list[tuple[int, int]] = []
    for t, (k, cls) in enumerate(path):
        if cls == 0:
            continue
        if len(classes) < k:
            classes.append(cls)
            spans.append((t, t))
        else:
            spans[-1] = (spans[-1][0], t)
    return classes, spans, total


def decode_vins(probs: np.ndarray, top_k: int = 3, max_windows: int = 8) -> list[DecodedVin]:
    """All VIN readings supported by one line's (T, 35) probabilities, best path first."""
    readings: list[DecodedVin] = []
    previous_text = ""
    for run in _runs(greedy_path(probs)):
        n = len(run)
        text = "".join(VIN_ALPHABET[c - 1] for c, _, _ in run)
        label_before = previous_text.endswith(("V1N", "VN"))
        previous_text = text
        if n >= VIN_LENGTH:
            for start in range(min(n - VIN_LENGTH + 1, max_windows)):
                window = run[start : start + VIN_LENGTH]
                flags = {
                    "window_of_longer": n > VIN_LENGTH,
                    "after_keyword": (text[:start] or "V1N" * label_before).endswith(("V1N", "VN")),
                }
                readings.append(
                    _reading(probs, [c for c, _, _ in window], [(a, b) for _, a, b in window], top_k, **flags)
                )
        if VIN_LENGTH - 2 <= n <= VIN_LENGTH + 2 and n != VIN_LENGTH:
            first, last = run[0][1], run[-1][2]
            # Give the search the blanks around the run so it can place an inserted character there.
            first, last = max(0, first - 1), min(len(probs) - 1, last + 1)
            log_probs = np.log(probs[first : last + 1, :OTHER] + _EPS)
            found = viterbi_fixed_length(log_probs, VIN_LENGTH)
            if found is not None:
                classes, spans, _ = found
                spans = [(a + first, b + first) for a, b in spans]
                readings.append(_reading(probs, classes, spans, top_k, length_forced=True, after_keyword=label_before))
    return readings
