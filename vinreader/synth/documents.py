"""What is printed around a VIN: door-label designs and registration certificates.

Door labels imitate families seen on real cars: ``ru_box`` (AvtoVAZ, Renault Russia: lines centred
in a thick black frame, EAC mark, codes printed outside the frame), ``ru_black`` (Kia, Hyundai, VW
assembled in Russia: white on black, EAC mark beside the VIN, corner ticks, a rule and a small
square at the bottom), ``fr`` (Peugeot, Citroën, Renault: centred lines, bold VIN, a rule and codes
below it), ``de`` (VW, Škoda, Opel, Nissan: left-aligned, masses with a 'kg' column, type and paint
codes, text up the right edge) and ``us`` (FMVSS statement, GVWR/GAWR, often a Code 39 of the VIN).
Each returns a `LabelPrint` (ink coverage and the VIN's box) laid out with `layout.Sheet`, in
units ``u`` of 1/100 of the width; the scene renderers give it a material and surroundings.
"""

from __future__ import annotations

import numpy as np

from vinreader.synth import strings
from vinreader.synth.fonts import FontSpec, choose_font
from vinreader.synth.layout import BARCODES, Field, Form, LabelPrint, Sheet, form_print

DESIGNS = ("ru_box", "ru_black", "fr", "de", "us")
_DESIGN_WEIGHTS = (0.25, 0.3, 0.2, 0.13, 0.12)  # Russian and French labels dominate our real photos
_CYRILLIC = "ЭЛДАИНТРЙкг«»"
# Where each design comes from, by the VIN's first character (the design otherwise is random).
_DESIGN_BY_REGION = {"X": ("ru_box", "ru_black"), "V": ("fr",), "W": ("de",), "T": ("de",), "S": ("de",)}


def choose_design(vin: str, rng: np.random.Generator) -> str:
    """A label design: half the time one made in the VIN's region, else one weighted like real photos."""
    if rng.random() < 0.5:
        if vin[0] in _DESIGN_BY_REGION:
            options = _DESIGN_BY_REGION[vin[0]]
            return options[int(rng.integers(len(options)))]
        if vin[0] in "12345":
            return "us"
    return DESIGNS[int(rng.choice(len(DESIGNS), p=_DESIGN_WEIGHTS))]


def _font(rng: np.random.Generator, options: list[str], text: str = "") -> FontSpec:
    return choose_font(rng, options[int(rng.integers(len(options)))], text=text)


def _vin(s: Sheet, vin: str, spec: FontSpec, cap: float, x0: float, x1: float, align: str, bold: float, caption):
    """The VIN line: usually printed like the rest of the label, sometimes by a dot-matrix printer."""
    if s.rng.random() < 0.08:
        style = {"style": "dot_matrix", "grid": (5, 7), "dot": float(s.rng.uniform(0.7, 0.95))}
    else:
        style = {"tracking": float(s.rng.uniform(-0.02, 0.12)), "weight": round(bold * cap * s.u)}
    s.vin(vin, spec, cap, x0, x1, align, caption=caption, **style)


def _ru_box(s: Sheet, vin: str, rng: np.random.Generator, caption: str, barcode: str | None) -> None:
    spec = _font(rng, ["technical", "condensed", "mono condensed"], _CYRILLIC)
    bold = float(rng.uniform(0.05, 0.1)) if "technical" in spec.tags else 0.0
    side = 0.0 if rng.random() < 0.35 and barcode in (None, "Code39") else float(rng.uniform(17, 24))
    x0, x1, top, cap = side + 3, 97.0, s.y, float(rng.uniform(4.0, 5.0))
    s.y += 3.5 * s.u
    s.lines(
        [str(rng.choice(strings.RU_MAKERS)), strings.ru_approval(rng)],
        spec,
        cap,
        x0 + 3,
        x1 - 3,
        "center",
        1.55,
        bold=bold,
    )
    _vin(s, vin, spec, cap * rng.uniform(1.0, 1.12), x0 + 3, x1 - 3, "center", bold, caption)
    s.y += cap * 1.9 * s.u
    mid = (x0 + x1) / 2 + rng.uniform(4, 12)
    if rng.random() < 0.85:
        s.eac(x0 + rng.uniform(4, 9), s.y + cap * 0.8 * s.u, cap * 1.6)
    s.masses(strings.ru_mass_lines(rng, "Kg", zero_pad=rng.random() < 0.6), spec, cap, mid, mid + 1.5)
    s.text(strings.small_number(rng), spec, 1.2, x1 - 22, x1 - 2, "right", y=s.y - 0.5 * cap * s.u)
    s.y += 1.5 * s.u
    s.rect(x0, top, x1, s.y, float(rng.uniform(0.5, 1.0)))
    if barcode == "Code39":
        s.y += 2 * s.u + s.barcode(vin, barcode, x0, s.y + 2 * s.u)
    elif barcode:  # a 2-D code in the margin left of the frame
        s.barcode(vin, barcode, 1, top + 2 * s.u, module=round((side - 2) * s.u / 30))
    elif side:
        s.vertical(f"{strings.code(rng, 5)}-{strings.code(rng, 3, strings.LETTERS)}", spec, 2.6, 3, top + 8 * s.u)
        s.text(strings.code(rng, 5), spec, 2.6, 9, side, y=top + 40 * s.u)
    s.y += 3 * s.u


def _ru_black(s: Sheet, vin: str, rng: np.random.Generator, caption: str, barcode: str | None) -> None:
    spec, cap, top = choose_font(rng, "sans", text=_CYRILLIC), float(rng.uniform(3.4, 4.2)), s.y
    s.y += 3 * s.u
    s.lines([str(rng.choice(strings.RU_BLACK_MAKERS))], spec, cap, 8, 96, str(rng.choice(["center", "left"])))
    s.lines([strings.ru_approval(rng)], spec, cap, 8, 96, "left", spacing=2.0)
    mark_h = float(rng.uniform(8, 11))
    s.eac(3.5, s.y - 0.5 * cap * s.u, mark_h)
    _vin(s, vin, spec, cap * rng.uniform(1.0, 1.1), 3.5 + 1.4 * mark_h + 2, 97, "left", 0.0, caption)
    s.y += cap * 2.1 * s.u
    rows = strings.ru_mass_lines(rng, "кг")
    if rng.random() < 0.2:
        rows[1] = " кг"  # an empty second mass, as on some Kia labels
    x_num = float(rng.uniform(40, 55))
    s.masses(rows, spec, cap * 1.1, x_num, x_num + 4, spacing=1.65)
    s.rect(4, s.y, 96, s.y + 0.25 * s.u, 0.25, fill=True)
    s.y += 2 * s.u
    if barcode:
        s.y += s.barcode(vin, barcode, 5, s.y, module=round(s.u * 0.5) if barcode != "Code39" else 0)
    else:
        s.rect(5, s.y, 13, s.y + 6 * s.u, 0.35)
        s.y += 6 * s.u
    s.corner_ticks(top, s.y + 1.5 * s.u)
    s.y += 1 * s.u


def _fr(s: Sheet, vin: str, rng: np.random.Generator, caption: str, barcode: str | None) -> None:
    spec, vin_spec = (
        choose_font(rng, "sans"),
        _font(rng, ["sans bold", "condensed bold", "sans", "mono bold"]),
    )
    cap = float(rng.uniform(2.6, 3.4))
    s.lines([str(rng.choice(strings.FR_MAKERS)), strings.short_approval(rng)], spec, cap, 10, 90, "center", 1.5)
    s.y += 0.4 * cap * s.u
    _vin(s, vin, vin_spec, cap * rng.uniform(1.5, 1.8), 5, 95, "center", 0.0, caption)
    s.y += cap * 2.6 * s.u
    unit = str(rng.choice([" KG", " Kg", " kg", ""]))
    s.lines([r.replace(" кг", unit) for r in strings.ru_mass_lines(rng)], spec, cap * 1.05, 25, 75, "center", 1.45)
    s.rect(12, s.y, 88, s.y + 0.2 * s.u, 0.2, fill=True)
    s.y += 2 * s.u
    if barcode == "Code39":
        s.y += s.barcode(vin, barcode, 8, s.y) + s.u
    start, symbol_h = s.y, s.barcode(vin, barcode, 62, s.y) if barcode in ("DataMatrix", "QRCode") else 0.0
    s.lines([strings.code(rng, 6, strings.LETTERS), f"{strings.small_number(rng)} - 1"], spec, cap, 8, 60)
    s.text(strings.small_number(rng), spec, 1.1, 70, 97, "right", y=s.y)
    s.y = max(s.y + 2 * s.u, start + symbol_h)


def _de(s: Sheet, vin: str, rng: np.random.Generator, caption: str, barcode: str | None) -> None:
    maker = str(rng.choice(strings.DE_MAKERS))
    spec = _font(rng, ["condensed", "sans"], text=maker + "*/")
    vin_spec = _font(rng, ["condensed bold", "sans bold", "mono", "ocr", "din"])
    cap, x0 = float(rng.uniform(3.0, 3.8)), float(rng.uniform(4, 14))
    if x0 > 9:  # a maker's round logo top-left
        box = (1.5 * s.u, s.y, (x0 - 1.5) * s.u, s.y + (x0 - 3) * s.u)
        s.draw.ellipse(box, outline=255, width=max(1, round(0.4 * s.u)))
    s.lines([maker, strings.short_approval(rng)], spec, cap, x0, 80, "left", 1.5)
    _vin(s, vin, vin_spec, cap * rng.uniform(1.2, 1.5), x0, 88, "left", 0.0, caption)
    s.y += cap * 2.2 * s.u
    s.masses([r.replace(" кг", " kg") for r in strings.ru_mass_lines(rng)], spec, cap, x0 + 14, 78, 1.45)
    tail = [f"Typ {strings.code(rng, 2)}  {strings.code(rng, 4)}", strings.tyre_line(rng)]
    s.lines(tail, spec, cap * 0.85, x0, 82)
    s.vertical(f"{strings.code(rng, 4, strings.LETTERS)}  {strings.code(rng, 4)}", spec, cap * 0.9, 91, 6 * s.u)
    if barcode:
        s.y += s.barcode(vin, barcode, x0, s.y)


def _us(s: Sheet, vin: str, rng: np.random.Generator, caption: str, barcode: str | None) -> None:
    spec = _font(rng, ["sans", "condensed", "sans bold"])
    vin_spec = _font(rng, ["sans bold", "mono bold", "ocr", "condensed bold"])
    cap, maker = float(rng.uniform(2.2, 2.8)), strings.maker_name(vin)
    maker = maker if maker != "VEHICLE" else str(rng.choice(strings.US_MAKERS))
    s.text(f"MFD BY: {maker}", spec, cap, 4, 70)
    s.text(strings.build_date(rng), spec, cap, 70, 96, "right")
    s.y += cap * 1.7 * s.u
    s.lines(strings.mass_lines(rng, europe=False), spec, cap, 4, 96, spacing=1.45)
    s.lines(strings.FMVSS_TEXT, spec, cap * 0.8, 4, 96, spacing=1.4)
    s.y += cap * 0.6 * s.u
    caption = caption or str(rng.choice(["VIN", "VIN:", ""]))
    _vin(s, vin, vin_spec, cap * rng.uniform(1.5, 2.0), 4, 96, "left", 0.0, caption)
    s.y += cap * 2.6 * s.u
    if barcode == "Code39" or barcode is None and rng.random() < 0.3:
        s.y += s.barcode(vin, "Code39", 3, s.y, height=rng.uniform(8, 12) * s.u) + cap * s.u
    tail = [
        f"TYPE: PASS CAR   {strings.part_number(rng, 8)}",
        strings.tyre_line(rng),
        strings.country_line(vin),
    ]
    s.lines(tail, spec, cap, 4, 96)
    if barcode in ("DataMatrix", "QRCode"):
        s.y += s.barcode(vin, barcode, 4, s.y)


_DESIGN_FUNCTIONS = {"ru_box": _ru_box, "ru_black": _ru_black, "fr": _fr, "de": _de, "us": _us}


def label_print(
    vin: str,
    rng: np.random.Generator,
    width: int,
    *,
    design: str | None = None,
    barcode: str | None = None,
    caption: str | None = None,
    light_ink: bool = False,
) -> LabelPrint:
    """The print of a door label `width` px wide showing `vin`.

    Args:
        design: one of `DESIGNS`; None picks one (`choose_design`).
        barcode: "Code39", "DataMatrix", "QRCode" (each encoding the VIN) or None.
        caption: text before the VIN on its line ("VIN:"); None picks one sometimes, "" never.
        light_ink: the ink is lighter than the stock (white on a black label): barcodes are then
            knocked out of an inked patch, so that their bars stay dark on light as scanners expect.
    """
    if barcode not in (None, *BARCODES):
        raise ValueError(f"unknown barcode {barcode!r}; known: {sorted(BARCODES)}")
    design = design or choose_design(vin, rng)
    if design not in _DESIGN_FUNCTIONS:
        raise ValueError(f"unknown label design {design!r}; known: {', '.join(DESIGNS)}")
    if caption is None:
        caption = str(rng.choice(strings.CAPTIONS)) if rng.random() < 0.2 else ""
    sheet = Sheet(width, rng, knockout=light_ink)
    _DESIGN_FUNCTIONS[design](sheet, vin, rng, caption, barcode)
    return sheet.finish(design, barcode)


# Registration papers: "<country> <form ink R,G,B> <title>", then one row of fields a line, fields
# split by "|" as "code: caption = value width" (width in u). A value is a `strings.field_value`
# key, "VIN", or literal text. Russian papers put the caption left of the value, the others above.
_FORMS = """
de 40,80,60 ZULASSUNGSBESCHEINIGUNG TEIL I
A: Amtliches Kennzeichen = plate 30 | B: Datum der Erstzulassung = date 35 | 2.1: Code zu 2 = code 35
E: Fahrzeug-Identifizierungsnummer = VIN 62 | 3: Prüfziffer = code 14 | J: Fahrzeugklasse = M1 24
D.1: Marke = make 40 | D.2: Typ / Variante / Version = type 60
D.3: Handelsbezeichnung(en) = model 45 | K: Nr. der EG-Typgenehmigung = approval 55
C.1.1: Name oder Firmenname = surname 50 | C.1.2: Vorname(n) = name 50
C.1.3: Anschrift = address 100
F.1: Techn. zul. Gesamtmasse in kg = mass 34 | P.1: Hubraum in cm³ = ccm 33 | P.2: Nennleistung in kW = kw 33

fr 30,60,120 CERTIFICAT D'IMMATRICULATION
A: = plate_fr 40 | B: = date 30 | I: = date 30
C.1: = name 100
C.3: = address 100
D.1: = make 40 | D.2: = type 60
D.2.1: = cnit 50 | D.3: = model 50
E: = VIN 70 | J: = M1 30
F.1: = mass 25 | F.2: = mass 25 | G: = mass 25 | G.1: = mass 25
K: = approval 60 | P.1: = ccm 20 | P.3: = GO 20

ru 120,50,70 СВИДЕТЕЛЬСТВО О РЕГИСТРАЦИИ ТС
: Регистрационный знак = plate_ru 100
: Идентификационный номер (VIN) = VIN 100
: Марка, модель = make 100
: Тип ТС = ЛЕГКОВОЙ 60 | : Категория = B 40
: Год выпуска ТС = year 100
: Шасси (рама) № = ОТСУТСТВУЕТ 100
: Кузов (кабина, прицеп) № = vin_like 100
: Цвет = colour 50 | : Мощность двигателя, кВт = kw 50
: Паспорт ТС = number 100

us 20,40,90 CERTIFICATE OF TITLE
: VEHICLE IDENTIFICATION NUMBER = VIN 46 | : YEAR = year 12 | : MAKE = make 22 | : MODEL = model 20
: TITLE NUMBER = title 34 | : ODOMETER = odometer 33 | : ISSUE DATE = date 33
: REGISTERED OWNER(S) = name 100
: ADDRESS = address 100
: FIRST LIENHOLDER = NONE 60 | : BODY = 4D 40
"""


def _parse_forms(text: str) -> dict[str, Form]:
    forms = {}
    for block in text.strip().split("\n\n"):
        head, *lines = block.splitlines()
        country, ink, title = head.split(" ", 2)
        rows = []
        for line in lines:
            row = []
            for field in line.split("|"):
                label, value = field.split("=")
                code, caption = (part.strip() for part in label.split(":"))
                key, width = value.rsplit(maxsplit=1)
                row.append(Field(code, caption, key.strip(), float(width)))
            rows.append(tuple(row))
        color = tuple(int(v) for v in ink.split(","))
        forms[country] = Form(title, color, tuple(rows), caption_left=country == "ru", grid=country in ("de", "us"))
    return forms


REGISTRATIONS: dict[str, Form] = _parse_forms(_FORMS)


def document_print(
    vin: str, rng: np.random.Generator, width: int, country: str | None = None
) -> tuple[LabelPrint, LabelPrint, Form]:
    """The pre-printed form and the filled-in values (VIN included) of a registration paper.

    Returns:
        (form, data, form spec): two prints of the same size; the VIN's box is in `data`.
    """
    country = country or str(rng.choice(list(REGISTRATIONS)))
    spec = REGISTRATIONS[country]

    def value(key: str) -> str:
        return strings.field_value(key, rng, vin, country)

    form, data = form_print(spec, vin, value, rng, width)
    return form, data, spec
