"""A vote of line recognizers: readings matched position by position and averaged."""

from __future__ import annotations

import json

import pytest

from vinreader import VinReader
from vinreader.ctc import DecodedVin
from vinreader.data.teacher import crop_box
from vinreader.models.registry import WEIGHTS_DIR, build_recognizer
from vinreader.models.voting import vote_readings

VIN = "1HGCM82633A004352"


def _reading(vin: str, p: float = 0.9, alternative: str = "Z", forced: bool = False) -> DecodedVin:
    spans = tuple((2 * k, 2 * k) for k in range(17))
    alternatives = tuple(((alternative, round(1 - p, 6)),) for _ in vin)
    return DecodedVin(vin, (p,) * 17, alternatives, spans, length_forced=forced, steps=40)


def _misread(position: int, char: str) -> str:
    return VIN[:position] + char + VIN[position + 1 :]


def test_each_member_misreading_another_character_votes_the_line_right():
    members = [[_reading(_misread(0, "7"))], [_reading(_misread(5, "B"))], [_reading(VIN)]]
    (voted,) = vote_readings(members)
    assert voted.vin == VIN
    # Position 0: two members read "1" at 0.9, one "7" at 0.9 (with "Z" at 0.1 each): "1" at 0.6.
    assert voted.char_probs[0] == pytest.approx(0.6)
    assert dict(voted.alternatives[0]) == pytest.approx({"7": 0.3, "Z": 0.1})
    assert voted.char_probs[10] == pytest.approx(0.9)
    assert voted.spans == members[0][0].spans and voted.steps == 40


def test_a_reading_one_member_alone_sees_keeps_a_share_of_its_confidence():
    other = "WVWZZZ1JZXW000001"  # agrees with VIN on fewer than half the positions: another reading
    members = [[_reading(VIN)], [_reading(VIN), _reading(other)], [_reading(VIN)]]
    voted = vote_readings(members)
    assert [r.vin for r in voted] == [VIN, other]
    assert min(voted[1].char_probs) == pytest.approx(0.3)
    assert min(voted[0].char_probs) == pytest.approx(0.9)


def test_readings_with_other_flags_are_not_merged():
    members = [[_reading(VIN)], [_reading(VIN, forced=True)]]
    voted = vote_readings(members)
    assert [(r.vin, r.length_forced) for r in voted] == [(VIN, False), (VIN, True)]
    assert all(min(r.char_probs) == pytest.approx(0.45) for r in voted)


def test_shipped_vote_reads_like_its_members_and_the_reader_takes_it(sticker):
    card = json.loads((WEIGHTS_DIR / "vin_crnn_vote.json").read_text())
    vote = build_recognizer("vin_crnn_vote", threads=1)
    assert len(vote.members) == len(card["config"]["members"]) == 3
    crop = crop_box(sticker.image, sticker.polygon.tolist())
    (readings,) = vote.read([crop])
    assert readings[0].vin == sticker.vin
    result = VinReader(recognizer="vin_crnn_vote", fallback_recognizer="").read(sticker.image)
    assert result.vin == sticker.vin and result.polygon is not None


def test_a_vote_of_one_is_a_clear_error(tmp_path):
    card = tmp_path / "one.json"
    one = {"name": "one", "kind": "recognizer", "arch": "ctc_vote", "config": {"members": ["vin_crnn"]}}
    card.write_text(json.dumps(one))
    with pytest.raises(ValueError, match="at least two member recognizers"):
        build_recognizer(card)
