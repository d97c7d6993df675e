"""Tests for vinreader.vin: syntax, normalization, check digit, model years and decoding."""

from __future__ import annotations

import pytest

from vinreader.types import VinInfo
from vinreader.vin import (
    VIN_ALPHABET,
    VIN_LENGTH,
    check_digit_required,
    check_digit_status,
    compute_check_digit,
    decode,
    is_vin_syntax,
    known_wmi,
    model_year_candidates,
    normalize,
)

# Real VINs with a correct check digit (Honda Accord, NHTSA's 49 CFR 565 example, Honda Civic).
VALID_NA = ["1HGCM82633A004352", "1M8GDM9AXKP042788", "11111111111111111"]
# European VINs whose position 9 is not a check digit (Peugeot, VW Golf, Lada).
EUROPEAN = ["VF3AFRHWB12880218", "WVWZZZ1JZXW000001", "XTAGAB110L1243238"]


def with_pos9(vin: str, char: str) -> str:
    return vin[:8] + char + vin[9:]


def test_alphabet() -> None:
    assert len(VIN_ALPHABET) == 33
    assert VIN_LENGTH == 17
    assert not set("IOQ") & set(VIN_ALPHABET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1HGCM82633A004352", True),
        ("1HGCM82633A00435", False),  # 16 chars
        ("1HGCM82633A0043521", False),  # 18 chars
        ("1HGCM82633AO04352", False),  # O is not allowed
        ("1hgcm82633a004352", False),  # lowercase is not a VIN until normalized
        ("1HGCM82633A00435#", False),
        ("", False),
    ],
)
def test_is_vin_syntax(text: str, expected: bool) -> None:
    assert is_vin_syntax(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1HGCM82633A004352", "1HGCM82633A004352"),
        ("1hgcm82633a004352", "1HGCM82633A004352"),
        ("1HG CM826 33A 004352", "1HGCM82633A004352"),
        ("1HG-CM826-33A-004352", "1HGCM82633A004352"),
        ("*1HGCM82633A004352*", "1HGCM82633A004352"),  # Code 39 start/stop characters
        ("1HGCM82633A.004352\n", "1HGCM82633A004352"),
        ("1HGCM82633AOQ4352", "1HGCM82633A004352"),  # O, Q -> 0
        ("IHGCM82633A004352", "1HGCM82633A004352"),  # I -> 1
        ("1hgcm82633ao04352", "1HGCM82633A004352"),  # lowercase o -> O -> 0
        ("１ＨＧＣＭ８２６３３Ａ００４３５２", "1HGCM82633A004352"),  # full-width
        ("1HGCM82633A00435", None),  # 16 chars
        ("1HGCM82633A0043521", None),  # 18 chars
        ("1HGCM82633A0O435", None),  # 16 chars even after mapping O
        ("1HGCM82633A00435#", None),  # 17 chars but '#' cannot be mapped
        ("1HGCM82633A0043ß2", None),
        ("", None),
    ],
)
def test_normalize(text: str, expected: str | None) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(("vin", "digit"), [(v, v[8]) for v in VALID_NA] + [("JHMCM56557C404453", "5")])
def test_compute_check_digit_known_vins(vin: str, digit: str) -> None:
    assert compute_check_digit(vin) == digit


def test_compute_check_digit_ignores_position_9_and_yields_x() -> None:
    # Position 9 has weight 0, so changing it cannot change the result.
    assert compute_check_digit(with_pos9("1M8GDM9AXKP042788", "0")) == "X"
    # By hand: 1HGCM826 -> 8+56+42+15+16+24+4+60 = 225; 3A004352 -> 27+8+0+0+20+12+15+4 = 86;
    # 311 % 11 = 3.
    assert compute_check_digit("1HGCM82603A004352") == "3"


def test_compute_check_digit_rejects_non_vin() -> None:
    with pytest.raises(ValueError):
        compute_check_digit("1HGCM82633A00435")
    with pytest.raises(ValueError):
        compute_check_digit("1HGCM82633AO04352")


@pytest.mark.parametrize("vin", VALID_NA + ["JHMCM56557C404453"])
def test_status_valid(vin: str) -> None:
    assert check_digit_status(vin) == "valid"


@pytest.mark.parametrize("wrong", ["0", "1", "2", "4", "X"])
def test_status_invalid_north_america(wrong: str) -> None:
    assert check_digit_status(with_pos9("1HGCM82633A004352", wrong)) == "invalid"


@pytest.mark.parametrize("vin", EUROPEAN)
def test_european_never_invalid(vin: str) -> None:
    assert check_digit_required(vin) is False
    assert check_digit_status(vin) == "not_applicable"
    for c in VIN_ALPHABET:
        assert check_digit_status(with_pos9(vin, c)) in ("valid", "not_applicable")


def test_european_matching_check_digit_is_valid() -> None:
    vin = with_pos9("VF3AFRHWB12880218", compute_check_digit("VF3AFRHWB12880218"))
    assert check_digit_status(vin) == "valid"


def test_china_requires_check_digit() -> None:
    base = "LSVAB4189B2000001"
    good = with_pos9(base, compute_check_digit(base))
    assert check_digit_required(good) is True
    assert check_digit_status(good) == "valid"
    bad = with_pos9(base, "0" if good[8] != "0" else "1")
    assert check_digit_status(bad) == "invalid"


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("1", True),
        ("2", True),
        ("3", True),
        ("4", True),
        ("5", True),
        ("L", True),
        ("S", False),
        ("V", False),
        ("W", False),
        ("X", False),
        ("Z", False),
        ("J", False),
        ("K", None),
        ("6", None),
        ("9", None),
        ("A", None),
        ("M", None),
        ("R", None),
        ("0", None),
    ],
)
def test_check_digit_required_by_region(first: str, expected: bool | None) -> None:
    assert check_digit_required(first + "HGCM82633A004352") is expected


def test_unknown_region_mismatch_is_unknown() -> None:
    vin = "9BWZZZ377VT004251"  # Brazilian VW
    assert check_digit_status(with_pos9(vin, "0" if compute_check_digit(vin) != "0" else "1")) == "unknown"


def test_status_of_non_vin_is_unknown() -> None:
    assert check_digit_status("1HGCM82633A00435") == "unknown"


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("1HGCM82633A004352", (2003,)),  # digit at position 7 -> 1980-2009 cycle
        ("1M8GDM9AXKP042788", (1989,)),
        ("5YJ3E1EAXKF000001", (2019,)),  # letter at position 7 -> 2010-2039 cycle
        ("1HGCM8A63BA004352", (2011,)),
        ("VF3AFRHWBG2880218", (1986, 2016)),  # outside North America: both cycles
        ("XTAGAB110L1243238", (1990, 2020)),
        ("WVWZZZ1JZTW000001", (1996, 2026)),
        ("WVWZZZ1JZ7W000001", (2007,)),  # 2037 is in the future
        ("WVWZZZ1JZUW000001", ()),
        ("WVWZZZ1JZZW000001", ()),
        ("WVWZZZ1JZ0W000001", ()),
        ("1HGCM8263UA004352", ()),
        ("1HGCM", ()),
    ],
)
def test_model_year_candidates(vin: str, expected: tuple[int, ...]) -> None:
    assert model_year_candidates(vin, current_year=2026) == expected


def test_model_year_north_america_future_falls_back() -> None:
    # Letter at position 7 says 2033, which cannot exist yet (heavy vehicles are exempt from the
    # position-7 rule), so the older cycle is returned instead.
    assert model_year_candidates("1HGCM8A633A004352", current_year=2026) == (2003,)
    assert model_year_candidates("1HGCM8A633A004352", current_year=2040) == (2033,)


def test_model_year_next_year_allowed_and_default_year() -> None:
    assert model_year_candidates("WVWZZZ1JZTW000001", current_year=2025) == (1996, 2026)
    assert model_year_candidates("WVWZZZ1JZTW000001", current_year=2024) == (1996,)
    assert 1996 in model_year_candidates("WVWZZZ1JZTW000001")


@pytest.mark.parametrize(
    ("vin", "country", "manufacturer"),
    [
        ("VF3AFRHWB12880218", "France", "Peugeot"),
        ("VF1AB000123456789", "France", "Renault"),
        ("WVWZZZ1JZXW000001", "Germany", "Volkswagen"),
        ("XTAGAB110L1243238", "Russia", "AvtoVAZ"),
        ("1HGCM82633A004352", "United States", "Honda"),
    ],
)
def test_decode_known(vin: str, country: str, manufacturer: str) -> None:
    info = decode(vin)
    assert isinstance(info, VinInfo)
    assert info.wmi == vin[:3]
    assert info.country == country
    assert info.manufacturer == manufacturer
    assert info.region in ("Europe", "North America")
    assert info.model_years == model_year_candidates(vin)
    assert known_wmi(vin)


def test_decode_peugeot_full() -> None:
    info = decode("VF3AFRHWB12880218")
    assert (info.region, info.country, info.manufacturer) == ("Europe", "France", "Peugeot")
    assert info.to_dict()["model_years"] == list(info.model_years)


@pytest.mark.parametrize("vin", ["11111111111111111", "00000000000000000", "ZZZZZZZZZZZZZZZZZ"])
def test_decode_unknown_wmi(vin: str) -> None:
    info = decode(vin)
    assert info.manufacturer is None
    assert info.manufacturer != "UnsupportedBrand"
    assert not known_wmi(vin)


def test_decode_never_raises() -> None:
    for a in VIN_ALPHABET:
        for b in VIN_ALPHABET:
            vin = a + b + "X" * 15
            info = decode(vin)
            assert info.wmi == vin[:3]
            assert info.manufacturer is None or isinstance(info.manufacturer, str)
            assert isinstance(known_wmi(vin), bool)
    # Not even on garbage.
    assert decode("").wmi == ""
    assert decode("1HGCM82633AO04352").manufacturer is None
    assert known_wmi("hello") is False
