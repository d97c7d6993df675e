"""VIN grammar: syntax, normalization, check digit, model year and WMI decoding.

Pure functions, no I/O. The reader uses them to score OCR/barcode candidates, so every function
accepts arbitrary strings without raising unless documented otherwise.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from vininfo import Vin

from vinreader.types import CheckDigitStatus, VinInfo

VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
"""The 33 characters a VIN may hold: I, O and Q are excluded (they look like 1 and 0)."""
VIN_LENGTH = 17

_VIN_RE = re.compile(f"[{VIN_ALPHABET}]{{{VIN_LENGTH}}}")

# Separators seen in printed/stamped VINs and barcode payloads ('*' is the Code 39 start/stop char).
# Whitespace is handled separately so every Unicode space counts.
_SEPARATORS = frozenset("-.*_:,;|/\\'\"`\u00b7\u2010\u2011\u2012\u2013\u2014\u2212")

# Characters a VIN cannot hold, mapped to the digit they are a misreading of.
_CONFUSABLES = str.maketrans({"O": "0", "Q": "0", "I": "1"})

# ISO 3779 / 49 CFR 565.15 transliteration: letters get the values 1..9 in repeating runs
# (the gaps at I, O, Q explain why J restarts at 1 and S at 2); digits stand for themselves.
_TRANSLITERATION: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# Model-year codes (position 10) in order from 1980; I, O, Q, U, Z and 0 are never used.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_YEAR_CYCLE = len(_YEAR_CODES)  # 30
_FIRST_CYCLE_START = 1980

_NORTH_AMERICA = frozenset("12345")  # US (1, 4, 5), Canada (2), Mexico (3)
_CHINA = "L"
_EUROPE = frozenset("STUVWXYZ")

# Placeholders vininfo (or its tables) use instead of None, e.g. "UnsupportedBrand" for an unknown WMI.
_PLACEHOLDERS = frozenset({"", "unknown", "unsupportedbrand"})


def is_vin_syntax(text: str) -> bool:
    """Return True if `text` is exactly 17 characters of `VIN_ALPHABET`."""
    return _VIN_RE.fullmatch(text) is not None


def normalize(text: str) -> str | None:
    """Turn a raw reading into a syntactically valid VIN, or None.

    Uppercases, drops whitespace and separators, then maps O/Q -> 0 and I -> 1. The mapping is
    only applied when the cleaned string is exactly 17 characters, so it never makes a VIN out of
    something of the wrong length.

    Args:
        text: OCR or barcode output, e.g. ``"1hg cm826-33a004352"``.

    Returns:
        The 17-character VIN, or None if `text` cannot be one.
    """
    # NFKC folds full-width and other compatibility forms (e.g. "Ａ") into plain ASCII.
    text = unicodedata.normalize("NFKC", text).upper()
    cleaned = "".join(c for c in text if not c.isspace() and c not in _SEPARATORS)
    if len(cleaned) != VIN_LENGTH:
        return None
    mapped = cleaned.translate(_CONFUSABLES)
    return mapped if is_vin_syntax(mapped) else None


def compute_check_digit(vin: str) -> str:
    """Compute the ISO 3779 / 49 CFR 565 check digit ("0"-"9" or "X") of a VIN.

    Position 9 itself has weight 0, so its current value does not matter.

    Raises:
        ValueError: if `vin` is not 17 characters of `VIN_ALPHABET`.
    """
    if not is_vin_syntax(vin):
        raise ValueError(f"not a VIN: {vin!r}")
    remainder = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def check_digit_required(vin: str) -> bool | None:
    """Whether the region of the VIN's first character makes position 9 a mandatory check digit.

    Returns:
        True (required), False (known not to be required) or None (unknown or not a VIN).
    """
    if not vin:
        return None
    first = vin[0]
    # 1-5 North America: mandatory under 49 CFR 565 (US) and CMVSS 115 (Canada); Mexico follows.
    # L China: mandatory under GB 16735.
    if first in _NORTH_AMERICA or first == _CHINA:
        return True
    # S-Z Europe (incl. Russia 'X'): ISO 3779 leaves position 9 free and EU type
    # approval does not require a check digit; many makers put a letter or 'Z' there.
    # J Japan: domestic cars carry chassis numbers, export VINs follow the destination's rules.
    if first in _EUROPE or first == "J":
        return False
    # Unknown, so a mismatch is never reported as "invalid":
    # K Korea (regulation unclear to us; NA-bound Korean cars do carry one),
    # A-H Africa, M-R (except L) rest of Asia, 6-7 Oceania, 8-9 South America, 0 unassigned.
    return None


def check_digit_status(vin: str) -> CheckDigitStatus:
    """Classify position 9 of a VIN.

    Returns:
        "valid" if it equals the computed check digit (in any region); otherwise "invalid" where the
        region requires a check digit, "not_applicable" where it is known not to, and "unknown"
        elsewhere or when `vin` is not 17 characters of `VIN_ALPHABET`.
    """
    if not is_vin_syntax(vin):
        return "unknown"
    if vin[8] == compute_check_digit(vin):
        return "valid"
    required = check_digit_required(vin)
    if required is None:
        return "unknown"
    return "invalid" if required else "not_applicable"


def model_year_candidates(vin: str, current_year: int | None = None) -> tuple[int, ...]:
    """Model years the position-10 code can stand for, oldest first.

    North American VINs (first char 1-5) use position 7 to pick the 30-year cycle: a letter means
    2010-2039, a digit 1980-2009. Elsewhere both cycles are returned. Years later than
    ``current_year + 1`` are dropped (a car can be sold as next year's model, not later).

    Args:
        vin: The VIN (only positions 1, 7 and 10 are read).
        current_year: Reference year; defaults to today's year.

    Returns:
        Zero, one or two years; () for codes that are never used (I, O, Q, U, Z, 0).
    """
    if len(vin) < 10 or vin[9] not in _YEAR_CODES:
        return ()
    if current_year is None:
        current_year = datetime.date.today().year
    offset = _YEAR_CODES.index(vin[9])
    years = (_FIRST_CYCLE_START + offset, _FIRST_CYCLE_START + _YEAR_CYCLE + offset)
    plausible = tuple(y for y in years if y <= current_year + 1)
    if vin[0] in _NORTH_AMERICA:
        # The position-7 rule (49 CFR 565.15) binds light vehicles only; heavy trucks, buses and
        # trailers may have a letter there before 2010. If the rule's year is in the future, fall
        # back to the plausible (older) one rather than claiming no year at all.
        chosen = years[1] if vin[6].isalpha() else years[0]
        if chosen in plausible:
            return (chosen,)
    return plausible


def _clean(value: object) -> str | None:
    """vininfo returns str, None or odd placeholders; keep only real, non-empty names."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return None if value.lower() in _PLACEHOLDERS else value


def _manufacturer(vin: Vin) -> str | None:
    # ISO 3779 assigns no WMI starting with '0': vininfo's '000' -> 'Maserati' entry is spurious.
    if vin.wmi.startswith("0"):
        return None
    return _clean(vin.manufacturer)


def decode(vin: str) -> VinInfo:
    """Decode WMI, region, country, manufacturer and model years with `vininfo`.

    Never raises: fields vininfo cannot supply are None.
    """
    vin = vin.strip().upper()
    info = VinInfo(wmi=vin[:3], model_years=model_year_candidates(vin))
    try:
        parsed = Vin(vin)
    except Exception:  # vininfo.ValidationError, or anything from its lookup tables
        return info
    # Each property is looked up separately so one failing lookup does not hide the others.
    fields: dict[str, str | None] = {}
    for name, getter in (
        ("region", lambda: _clean(parsed.region)),
        ("country", lambda: _clean(parsed.country)),
        ("manufacturer", lambda: _manufacturer(parsed)),
    ):
        try:
            fields[name] = getter()
        except Exception:
            fields[name] = None
    return VinInfo(wmi=info.wmi, model_years=info.model_years, **fields)


def serial_digit_positions(vin: str) -> tuple[int, ...]:
    """0-based positions that ISO 3779 makes digits: the last four of the vehicle indicator section.

    A maker of fewer than 500 vehicles a year (a WMI whose third character is 9, ISO 3780) names
    itself in positions 12-14, so only the last three are sure then. North America asks the last five
    of cars and light trucks; the rule here is the one all regions share.

    Example:
        >>> serial_digit_positions("1HGCM82633A004352"), serial_digit_positions("WF9ABC12345ABC123")
        ((13, 14, 15, 16), (14, 15, 16))
    """
    return (14, 15, 16) if vin[2:3] == "9" else (13, 14, 15, 16)


def known_wmi(vin: str) -> bool:
    """Return True if vininfo knows a manufacturer for the VIN's WMI (a grammar signal)."""
    try:
        return _manufacturer(Vin(vin.strip().upper())) is not None
    except Exception:
        return False
