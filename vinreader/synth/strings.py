"""Random but realistic VINs and the other text printed on VIN labels (distractors for the reader)."""

from __future__ import annotations

import numpy as np

from vinreader.vin import VIN_ALPHABET, check_digit_required, compute_check_digit, decode

# Real WMIs (checked against vininfo in tests/test_synth_render.py), by the region vininfo reports.
WMIS: dict[str, tuple[str, ...]] = {
    "north_america": ("1HG", "1FT", "1G1", "2T1", "3VW", "4T1", "5YJ"),
    "europe": ("WVW", "WBA", "WDB", "VF1", "VF3", "ZFA", "SAL", "YV1", "TMB", "XTA", "X7L"),
    "asia": ("JHM", "KMH", "KNA", "LSV"),
}
# Model-year codes (position 10): never I, O, Q, U, Z or 0.
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_LETTERS = "".join(c for c in VIN_ALPHABET if c.isalpha())
_DIGITS = "0123456789"
_PART_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_EU_APPROVAL = ("2001/116", "2007/46", "2018/858", "98/14")


def _pick(rng: np.random.Generator, chars: str, n: int = 1) -> str:
    return "".join(chars[i] for i in rng.integers(0, len(chars), n))


def _region_key(region: str) -> str:
    key = region.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in WMIS:
        raise ValueError(f"unknown region {region!r}; known: {sorted(WMIS)}")
    return key


def random_vin(rng: np.random.Generator, region: str | None = None) -> str:
    """A random VIN with a real WMI, a valid model-year code and a correct check digit where required.

    Args:
        rng: source of all randomness.
        region: "north_america", "europe" or "asia" (vininfo's names, e.g. "North America", work
            too); None picks any region.
    """
    key = _region_key(region) if region is not None else str(rng.choice(list(WMIS)))
    wmi = str(rng.choice(WMIS[key]))
    vds = _pick(rng, VIN_ALPHABET, 5)
    serial = _pick(rng, VIN_ALPHABET) + _pick(rng, _DIGITS, 6)  # plant code + sequence number
    vin = wmi + vds + _pick(rng, VIN_ALPHABET) + _pick(rng, YEAR_CODES) + serial
    if check_digit_required(vin):
        vin = vin[:8] + compute_check_digit(vin) + vin[9:]
    return vin


def maker_name(vin: str) -> str:
    """The manufacturer vininfo knows for the VIN's WMI, upper case ("VEHICLE" if unknown)."""
    return (decode(vin).manufacturer or "vehicle").upper()


def country_line(vin: str) -> str:
    """'MADE IN <COUNTRY>' from the VIN's WMI."""
    country = decode(vin).country or "EU"
    return f"MADE IN {country.upper()}"


def approval_number(rng: np.random.Generator) -> str:
    """An EU whole-vehicle type-approval number, e.g. 'e2*2001/116*0281*03'."""
    state = int(rng.integers(1, 14))
    number = int(rng.integers(1, 9999))
    return f"e{state}*{rng.choice(_EU_APPROVAL)}*{number:04d}*{int(rng.integers(0, 30)):02d}"


def part_number(rng: np.random.Generator, length: int = 16) -> str:
    """A part/paint/option code of `length` characters (16 by default: one short of a VIN)."""
    return _pick(rng, _PART_ALPHABET, length)


def build_date(rng: np.random.Generator) -> str:
    """A manufacturing date as printed on labels, e.g. '05/19'."""
    return f"{int(rng.integers(1, 13)):02d}/{int(rng.integers(5, 26)):02d}"


def mass_lines(rng: np.random.Generator, europe: bool) -> list[str]:
    """Permitted masses: EU style ('1575 kg', '1-860 kg') or US style ('GVWR 2155 KG (4751 LB)')."""
    total = int(rng.integers(120, 260)) * 10 + 5
    front = total // 2 + int(rng.integers(-8, 9)) * 5
    rear = total - front + int(rng.integers(2, 12)) * 5
    if europe:
        return [f"{total} kg", f"{total + 600} kg", f"1-{front} kg", f"2-{rear} kg"]
    return [
        f"GVWR {total} KG ({round(total * 2.2046)} LB)",
        f"GAWR FRT {front} KG ({round(front * 2.2046)} LB)",
        f"GAWR RR {rear} KG ({round(rear * 2.2046)} LB)",
    ]


FMVSS_TEXT = (
    "THIS VEHICLE CONFORMS TO ALL APPLICABLE U.S. FEDERAL",
    "MOTOR VEHICLE SAFETY, BUMPER, AND THEFT PREVENTION",
    "STANDARDS IN EFFECT ON THE DATE OF MANUFACTURE SHOWN ABOVE.",
)
