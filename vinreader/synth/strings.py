"""Random but realistic VINs and the other text printed on VIN labels (distractors for the reader)."""

from __future__ import annotations

import numpy as np

from vinreader.vin import VIN_ALPHABET, check_digit_required, compute_check_digit, decode

# Real WMIs (checked against vininfo in tests/test_synth_render.py), by the region vininfo reports.
WMIS: dict[str, tuple[str, ...]] = {
    "north_america": ("1HG", "1FT", "1G1", "2T1", "3VW", "4T1", "5YJ"),
    "europe": (
        *("WVW", "WBA", "WDB", "VF1", "VF3", "ZFA", "SAL", "YV1", "TMB", "XTA", "X7L"),
        *("XWE", "XW8", "XWF", "X96", "VF7", "W0L", "SJN", "U5Y", "WF0"),
    ),
    "asia": ("JHM", "KMH", "KNA", "LSV"),
}
# Model-year codes (position 10): never I, O, Q, U, Z or 0.
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
LETTERS = "".join(c for c in VIN_ALPHABET if c.isalpha())
_DIGITS = "0123456789"
_PART_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_EU_APPROVAL = ("2001/116", "2007/46", "2018/858", "98/14")
CAPTIONS = ("VIN", "VIN:", "FIN", "V.I.N.", "VIN No.")
RU_MAKERS = ("AVTOVAZ", "ЗАО «РЕНО РОССИЯ»", "ПАО «АВТОВАЗ»", "ООО «НИССАН МЕНЮФЭКЧУРИНГ РУС»")
RU_BLACK_MAKERS = (
    'ООО "ЭЛЛАДА ИНТЕРТРЕЙД"',
    'ЗАО "АВТОТОР-менеджмент"',
    'ООО "ФОЛЬКСВАГЕН Груп Рус"',
    'ООО "ХММР"',
)
FR_MAKERS = ("AUTOMOBILES PEUGEOT", "AUTOMOBILES CITROEN", "RENAULT", "RENAULT S.A.S.")
DE_MAKERS = ("VOLKSWAGEN AG", "ŠKODA AUTO a.s.", "OPEL", "ADAM OPEL AG", "NISSAN", "FORD-WERKE GMBH")
UNIFORM_PROB = 0.3  # share of training VINs drawn uniformly, so a model cannot lean on the VIN prior


def _pick(rng: np.random.Generator, chars: str, n: int = 1) -> str:
    return "".join(chars[i] for i in rng.integers(0, len(chars), n))


def _region_key(region: str) -> str:
    key = region.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in WMIS:
        raise ValueError(f"unknown region {region!r}; known: {sorted(WMIS)}")
    return key


def uniform_vin(rng: np.random.Generator) -> str:
    """17 characters drawn uniformly from the VIN alphabet: no WMI, year or check-digit prior."""
    return _pick(rng, VIN_ALPHABET, 17)


def random_vin(rng: np.random.Generator, region: str | None = None, uniform_prob: float = 0.0) -> str:
    """A random VIN with a real WMI, a valid model-year code and a correct check digit where required.

    Args:
        rng: source of all randomness.
        region: "north_america", "europe" or "asia" (vininfo's names, e.g. "North America", work
            too); None picks any region.
        uniform_prob: probability of returning `uniform_vin` instead (0 draws nothing extra from
            `rng`, so existing callers see the same VINs).
    """
    if uniform_prob > 0 and rng.random() < uniform_prob:
        return uniform_vin(rng)
    key = _region_key(region) if region is not None else str(rng.choice(list(WMIS)))
    wmi = str(rng.choice(WMIS[key]))
    vds = _pick(rng, VIN_ALPHABET, 5)
    serial = _pick(rng, VIN_ALPHABET) + _pick(rng, _DIGITS, 6)  # plant code + sequence number
    return possible_vin(wmi + vds + _pick(rng, VIN_ALPHABET) + _pick(rng, YEAR_CODES) + serial)


def possible_vin(vin: str) -> str:
    """``vin`` with its check digit (position 9) made right where the region requires one.

    No vehicle from North America or China carries a VIN that fails its check digit, so a reader
    rightly doubts one: an evaluation whose truth fails it would count that doubt as a miss.

    Example:
        >>> possible_vin("1HGCM82600A004352"), possible_vin("WVWZZZ1JZ3W386752")
        ('1HGCM82690A004352', 'WVWZZZ1JZ3W386752')
    """
    if check_digit_required(vin):
        return vin[:8] + compute_check_digit(vin) + vin[9:]
    return vin


def training_vin(rng: np.random.Generator, uniform_prob: float = UNIFORM_PROB) -> str:
    """The VIN of a training scene: realistic, or uniformly random with probability `uniform_prob`.

    Example:
        >>> training_vin(np.random.default_rng(0))  # doctest: +SKIP
        'XTAGAB110L1243238'
    """
    return random_vin(rng, uniform_prob=uniform_prob)


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


def vin_like(rng: np.random.Generator) -> str:
    """A string that looks like a VIN but is not one: 16 or 18 characters, or holding I, O or Q."""
    vin = random_vin(rng)
    style = int(rng.integers(3))
    if style == 0:
        return vin[: 16 - int(rng.integers(0, 3))]
    if style == 1:
        return vin + _pick(rng, _DIGITS)
    positions = rng.choice(17, size=int(rng.integers(1, 3)), replace=False)
    chars = list(vin)
    for p in positions:
        chars[int(p)] = _pick(rng, "IOQ")
    return "".join(chars)


def short_approval(rng: np.random.Generator) -> str:
    """An EU approval number as door labels print it, e.g. 'e2*2001/116*0362'."""
    return f"e{int(rng.integers(1, 14))}*{rng.choice(_EU_APPROVAL)}*{int(rng.integers(1, 999)):04d}"


def ru_approval(rng: np.random.Generator) -> str:
    """A Eurasian (TC RU / EAEU) type approval, e.g. 'TC RU E-RU.MT02.00317' or 'E-RU.AЯ04.B.00056.P2'."""
    body = str(rng.choice(["MT02", "AЯ04", "MT25", "HB07", "MЮ62"]))
    number = f"{int(rng.integers(1, 400)):05d}"
    tail = f".P{int(rng.integers(1, 6))}" if rng.random() < 0.5 else ""
    if rng.random() < 0.25:
        return f"E-RU.{body}.B.{number}{tail}"
    return f"TC RU E-RU.{body}.{number}{tail}"


def ru_mass_lines(rng: np.random.Generator, unit: str = "кг", zero_pad: bool = False) -> list[str]:
    """Russian label masses: gross, train, axle 1 and 2, e.g. ['1650 Kg', '2400 Kg', '1- 0850 Kg', ...]."""
    total = int(rng.integers(110, 290)) * 10
    front = total // 2 + int(rng.integers(-10, 20)) * 5
    rear = total - front + int(rng.integers(0, 20)) * 5
    fmt = "{:04d}" if zero_pad else "{}"
    axle_sep = str(rng.choice(["- ", "-", " "]))
    return [
        f"{total} {unit}",
        f"{total + int(rng.integers(0, 21)) * 50} {unit}",
        f"1{axle_sep}{fmt.format(front)} {unit}",
        f"2{axle_sep}{fmt.format(rear)} {unit}",
    ]


def tyre_line(rng: np.random.Generator) -> str:
    """A tyre size with load index, speed rating and pressure, e.g. '225/45R17 94W 2.5 bar'."""
    width = int(rng.choice([175, 185, 195, 205, 215, 225, 235]))
    ratio, rim = int(rng.choice([45, 55, 60, 65])), int(rng.choice([14, 15, 16, 17, 18]))
    load, speed = int(rng.integers(82, 102)), str(rng.choice(list("HTVW")))
    return f"{width}/{ratio}R{rim} {load}{speed} {rng.uniform(2.0, 3.0):.1f} bar"


def code(rng: np.random.Generator, length: int, alphabet: str = _PART_ALPHABET) -> str:
    """A short engine, paint, trim or plant code, e.g. 'CWVA' (letters and digits)."""
    return _pick(rng, alphabet, length)


def small_number(rng: np.random.Generator) -> str:
    """The tiny print-run / label number in a label's corner, e.g. '46555'."""
    return str(int(rng.integers(10_000, 999_999)))


# Per country of a registration paper: surnames | first names | streets | cities | colours.
_PEOPLE_TABLE = """
de | MÜLLER; SCHMIDT | ANNA; JÜRGEN | HAUPTSTR. 12; AM MARKT 3 | 10115 BERLIN; 80331 MÜNCHEN | WEISS; GRAU
fr | MARTIN; DUBOIS | JEAN; MARIE | 12 RUE DE LA PAIX; 3 AV. FOCH | 75002 PARIS; 69001 LYON | GRIS; ROUGE
ru | ИВАНОВ; СМИРНОВА | АЛЕКСЕЙ; ОЛЬГА | УЛ. ЛЕНИНА, Д. 7; ПР. МИРА, Д. 21 | Г. САМАРА; Г. УФА | БЕЛЫЙ
us | JOHNSON; GARCIA | MICHAEL; SARAH | 1200 OAK AVE; 55 MAIN ST | AUSTIN TX 78701; SALEM OR 97301 | BLACK
"""
_PEOPLE = {
    line.split(" | ")[0]: tuple(tuple(part.split("; ")) for part in line.split(" | ")[1:])
    for line in _PEOPLE_TABLE.strip().splitlines()
}
_MODELS = ("GOLF", "CLIO", "VESTA", "RIO", "208", "C4", "POLO", "OCTAVIA", "ACCORD", "F-150")
US_MAKERS = (
    "FORD MOTOR CO.",
    "GENERAL MOTORS LLC",
    "HONDA OF AMERICA MFG., INC.",
    "TOYOTA MOTOR MFG.",
    "TESLA, INC.",
)


def field_value(key: str, rng: np.random.Generator, vin: str, country: str = "de") -> str:
    """A plausible value of field `key` ('plate', 'date', 'make', ...) on a `country`'s registration paper."""
    pick = lambda options: str(options[int(rng.integers(len(options)))])  # noqa: E731
    surnames, first_names, streets, cities, colours = _PEOPLE[country]
    upper, cyr = LETTERS, "АВЕКМНОРСТУХ"  # Latin and Cyrillic letters used on number plates
    values = {
        "plate": lambda: f"{code(rng, 2, upper)} {code(rng, 2, upper)} {int(rng.integers(1, 9999))}",
        "plate_fr": lambda: f"{code(rng, 2, upper)}-{int(rng.integers(100, 999))}-{code(rng, 2, upper)}",
        "plate_ru": lambda: f"{pick(cyr)}{int(rng.integers(100, 999))}{code(rng, 2, cyr)} {int(rng.integers(10, 199))}",
        "date": lambda: (
            f"{int(rng.integers(1, 29)):02d}.{int(rng.integers(1, 13)):02d}.{int(rng.integers(1995, 2025))}"
        ),
        "year": lambda: str(int(rng.integers(1995, 2025))),
        "make": lambda: maker_name(vin) if maker_name(vin) != "VEHICLE" else pick(("RENAULT", "KIA", "LADA", "FORD")),
        "model": lambda: pick(_MODELS),
        "type": lambda: f"{code(rng, 3)}{code(rng, 2, upper)} / {code(rng, 4)} / {code(rng, 5)}",
        "cnit": lambda: f"M10{code(rng, 3, upper)}VP{code(rng, 4)}{code(rng, 3)}",
        "approval": lambda: approval_number(rng),
        "surname": lambda: pick(surnames),
        "name": lambda: f"{pick(surnames)} {pick(first_names)}",
        "address": lambda: f"{pick(streets)}, {pick(cities)}",
        "mass": lambda: str(int(rng.integers(110, 290)) * 10),
        "ccm": lambda: str(int(rng.integers(9, 30)) * 100 - int(rng.integers(0, 3))),
        "kw": lambda: f"{int(rng.integers(50, 190))}",
        "colour": lambda: pick(colours),
        "vin_like": lambda: vin_like(rng),
        "number": lambda: f"{int(rng.integers(10, 99))} {code(rng, 2, cyr)} {int(rng.integers(100000, 999999))}",
        "title": lambda: f"{int(rng.integers(10**7, 10**8))}",
        "odometer": lambda: f"{int(rng.integers(5, 250)) * 1000 + int(rng.integers(0, 999))} MI",
        "code": lambda: code(rng, int(rng.integers(2, 6))),
    }
    return values[key]() if key in values else key
