"""A vote of line recognizers: each reads the crop, and their VIN readings are matched and averaged.

Recognizers trained apart (another seed, another augmentation) misread *different* characters of
the same line. Every reading the reader gets is exactly 17 characters (`ctc.decode_vins`), so the
readings of several recognizers line up position by position without any alignment: each position's
probabilities are averaged and the most probable character wins. Their CTC outputs cannot be averaged
instead: two networks emit the same character on different timesteps.

A member that has no reading matching the others' counts as probability 0, so a reading only one
member of three sees keeps a third of its confidence: the chooser's threshold then doubts it.

Example:
    >>> from vinreader.models.registry import build_recognizer
    >>> vote = build_recognizer("vin_crnn_vote")  # doctest: +SKIP
    >>> vote.read([crop])[0][0].vin  # doctest: +SKIP
    'XTA210990Y2765089'
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from vinreader.ctc import DecodedVin
from vinreader.models.registry import build_members, register
from vinreader.vin import VIN_ALPHABET, VIN_LENGTH

MIN_AGREEMENT = 9  # positions of 17 two readings must share to be one reading of the line (more than half)
_INDEX = {char: i for i, char in enumerate(VIN_ALPHABET)}


def vote_readings(members: list[list[DecodedVin]], top_k: int = 3) -> list[DecodedVin]:
    """The readings of one line by several recognizers (one list each) -> one averaged reading per match.

    Readings of different members match when they carry the same flags (length forced, window of longer
    text) and agree on at least :data:`MIN_AGREEMENT` positions; each member gives a match at most one
    reading. Per position, each member's probability of each character (its reading's and its
    alternatives') is averaged over *all* members. Spans and flags come from the first reading of the match.
    """
    groups: list[list[DecodedVin]] = []
    for readings in members:
        joined: set[int] = set()
        for reading in readings:
            best, agreement = None, MIN_AGREEMENT - 1
            for g, group in enumerate(groups):
                if g in joined or _flags(group[0]) != _flags(reading):
                    continue
                same = sum(a == b for a, b in zip(group[0].vin, reading.vin, strict=True))
                if same > agreement:
                    best, agreement = g, same
            if best is None:
                groups.append([reading])
                best = len(groups) - 1
            else:
                groups[best].append(reading)
            joined.add(best)
    return [_average(group, len(members), top_k) for group in groups]


def _flags(reading: DecodedVin) -> tuple[bool, bool]:
    return reading.length_forced, reading.window_of_longer


def _average(group: list[DecodedVin], members: int, top_k: int) -> DecodedVin:
    """One reading from the matched readings of ``members`` recognizers (absent ones count 0)."""
    mass = np.zeros((VIN_LENGTH, len(VIN_ALPHABET)))
    for reading in group:
        for position, (char, p, alternatives) in enumerate(
            zip(reading.vin, reading.char_probs, reading.alternatives, strict=True)
        ):
            mass[position, _INDEX[char]] += p
            for alt, q in alternatives:
                mass[position, _INDEX[alt]] += q
    mass /= members
    order = np.argsort(-mass, axis=1, kind="stable")
    vin = "".join(VIN_ALPHABET[row[0]] for row in order)
    char_probs = tuple(float(mass[k, row[0]]) for k, row in enumerate(order))
    alternatives = tuple(
        tuple((VIN_ALPHABET[i], float(mass[k, i])) for i in row[1 : 1 + top_k] if mass[k, i] > 0)
        for k, row in enumerate(order)
    )
    first = group[0]
    return replace(
        first,
        vin=vin,
        char_probs=char_probs,
        alternatives=alternatives,
        after_keyword=any(r.after_keyword for r in group),
    )


@register("recognizer", "ctc_vote")
class VotingRecognizer:
    """Several recognizers (model names or card paths, see ``members``) reading every crop; their readings vote.

    Args:
        members: the recognizers, at least two; relative card paths are taken from the card's folder.
        weights: unused (a vote has no weights of its own; the registry passes the card's, if any).
        threads: onnxruntime threads of each member.
    """

    def __init__(self, members: list[str], weights: Path | None = None, name: str = "vote", threads: int = 0) -> None:
        self.name = name
        self.members = build_members("recognizer", members, name, threads)

    def read(self, crops: list[np.ndarray]) -> list[list[DecodedVin]]:
        """Per crop, the voted VIN readings (see :func:`vote_readings`)."""
        each = [member.read(crops) for member in self.members]
        return [vote_readings([readings[i] for readings in each]) for i in range(len(crops))]
