"""Constrained CTC decoding on hand-built probability matrices."""

from __future__ import annotations

import numpy as np

from vinreader.ctc import BLANK, OTHER, decode_vins, greedy_path, viterbi_fixed_length
from vinreader.vin import VIN_ALPHABET

N = len(VIN_ALPHABET) + 2


def _probs(tokens: list[str | None], peak: float = 0.9) -> np.ndarray:
    """One timestep per token: a VIN character, '?' for a non-VIN character, None for blank."""
    probs = np.full((len(tokens), N), (1 - peak) / (N - 1))
    for t, token in enumerate(tokens):
        cls = BLANK if token is None else OTHER if token == "?" else VIN_ALPHABET.index(token) + 1
        probs[t, cls] = peak
    return probs


def _spaced(text: str) -> list[str | None]:
    out: list[str | None] = [None]
    for ch in text:
        out += [ch, None]
    return out


def test_greedy_merges_repeats_and_drops_blanks():
    tokens = greedy_path(_probs(["A", "A", None, "A", "B", "?"]))
    assert [t[0] for t in tokens] == [VIN_ALPHABET.index("A") + 1] * 2 + [VIN_ALPHABET.index("B") + 1, OTHER]
    assert tokens[0][1:] == (0, 1)


def test_exact_vin_with_char_probabilities_and_alternatives():
    vin = "1HGCM82633A004352"
    readings = decode_vins(_probs(_spaced(vin)))
    assert [r.vin for r in readings] == [vin]
    reading = readings[0]
    assert all(abs(p - 0.9) < 1e-6 for p in reading.char_probs)
    assert all(
        len(alts) == 3 and ch not in [a for a, _ in alts] for ch, alts in zip(vin, reading.alternatives, strict=True)
    )
    assert not reading.length_forced


def test_text_around_the_vin_is_split_off():
    vin = "WVWZZZ1JZXW000001"
    readings = decode_vins(_probs(_spaced("2040?KG?") + _spaced(vin) + ["?"] + _spaced("1575")))
    assert [r.vin for r in readings] == [vin]


def test_vin_keyword_before_a_longer_run_is_recognised():
    vin = "XTA219070J0495272"
    readings = decode_vins(_probs(_spaced("V1N" + vin)))
    after = [r for r in readings if r.after_keyword]
    assert [r.vin for r in after] == [vin]
    assert all(r.window_of_longer for r in readings)


def test_keyword_on_its_own_run():
    vin = "XTA219070J0495272"
    readings = decode_vins(_probs(_spaced("V1N") + ["?"] + _spaced(vin)))
    assert readings[0].vin == vin and readings[0].after_keyword


def test_forced_length_recovers_a_merged_double_character():
    # "00" where the blank between the zeros is weaker than "0": greedy merges them, reading 16.
    vin = "1HGCM82633A004352"
    tokens = _spaced(vin.replace("00", "0")).copy()
    t = tokens.index("0")
    tokens[t : t + 1] = ["0", "0", "0"]
    probs = _probs(tokens)
    zero = VIN_ALPHABET.index("0") + 1
    probs[t + 1, BLANK], probs[t + 1, zero] = 0.45, 0.5
    assert "".join(VIN_ALPHABET[c - 1] for c, _, _ in greedy_path(probs)) == vin.replace("00", "0")
    forced = [r for r in decode_vins(probs) if r.length_forced]
    assert [r.vin for r in forced] == [vin]


def test_viterbi_needs_enough_timesteps():
    log_probs = np.log(_probs(["A"] * 5)[:, :OTHER])
    assert viterbi_fixed_length(log_probs, 17) is None


def test_nothing_like_a_vin_gives_no_reading():
    assert decode_vins(_probs(_spaced("1575") + ["?"] + _spaced("KG"))) == []
