"""Find VINs in barcodes (door-jamb stickers, windshield labels, registration documents)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np
import zxingcpp

from vinreader.types import Candidate, CharReading, Polygon
from vinreader.vin import check_digit_required, check_digit_status, is_vin_syntax, known_wmi

_F = zxingcpp.BarcodeFormat
# Only the symbologies VINs are printed in; fewer formats means fewer false reads and faster scans.
# `Code39` covers both the standard and the full-ASCII (extended) variant.
_FORMATS = (_F.Code39, _F.Code128, _F.DataMatrix, _F.QRCode, _F.PDF417)

# Reed-Solomon (2D codes) or a mandatory checksum (Code 128) make a misread near-impossible;
# Code 39 has no mandatory check character, so a damaged bar can (rarely) decode as another letter.
_STRONG_CONFIDENCE = 0.999
_CODE39_CONFIDENCE = 0.99

# Labels that precede a VIN inside one field: 'I' is the ANSI MH10.8.2 data identifier for a VIN
# (the "import" prefix on US door stickers), 'VIN' is a plain text label.
_LABEL_PREFIXES = ("VIN", "I")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2400-\u243f]")
# Anything that cannot be part of a VIN separates fields in multi-field payloads ('|', ';', ',', '*',
# ':', newlines, GS/RS separators, ...).
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True)
class BarcodeRead:
    """One decoded barcode."""

    text: str
    format: str
    polygon: Polygon


def read_barcodes(image: np.ndarray) -> list[BarcodeRead]:
    """Decode VIN-bearing barcodes in an RGB uint8 image (grayscale and RGBA are accepted too)."""
    img = np.asarray(image)
    if img.size == 0:
        return []
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    # zxing expects BGR for 3-channel arrays; convert to grey ourselves so channel order cannot matter.
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_RGBA2GRAY)
    elif img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    elif img.ndim == 3:
        img = img[:, :, 0]
    img = np.ascontiguousarray(img)
    results = zxingcpp.read_barcodes(
        img,
        formats=_FORMATS,
        try_rotate=True,
        try_downscale=True,
        try_invert=True,
        # Plain keeps GS/RS field separators as control characters; HRI would turn them into
        # Unicode symbols that glue fields together.
        text_mode=zxingcpp.TextMode.Plain,
    )
    reads = []
    for r in results:
        if not r.valid:
            continue
        p = r.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        polygon = tuple((float(c.x), float(c.y)) for c in corners)
        reads.append(BarcodeRead(text=r.text, format=r.format.name, polygon=polygon))
    return reads


def _prefer(vins: list[str], after_label: Callable[[str], bool] | None = None) -> str | None:
    """Narrow down competing VIN readings; None if they stay ambiguous.

    Filters in order, each applied only if it leaves something: a valid check digit where the region
    requires one (a shifted window matches by chance only 1 time in 11, a real North American or
    Chinese VIN always), not an invalid one, right after a label prefix (when given), a known
    manufacturer code (WMI). A check digit that merely happens to match in a region without one is
    not used: it is exactly that 1-in-11 accident.
    """
    pool = list(dict.fromkeys(vins))
    filters: list[Callable[[str], bool]] = [
        lambda v: check_digit_required(v) is True and check_digit_status(v) == "valid",
        lambda v: check_digit_status(v) != "invalid",
    ]
    if after_label is not None:
        filters.append(after_label)
    filters.append(known_wmi)
    for keep in filters:
        if len(pool) <= 1:
            break
        pool = [v for v in pool if keep(v)] or pool
    return pool[0] if len(pool) == 1 else None


def _from_field(field: str) -> str | None:
    """A VIN from one field of up to 20 characters, allowing a label prefix or trailing extras.

    Rule for 18-20 characters: consider every 17-character window that passes `is_vin_syntax`;
    if several do, narrow them with `_prefer` (required check digit valid, then not invalid, then the
    window right after a leading 'VIN' or 'I' label, then a known WMI); still more than
    one -> ambiguous (None). A leading 'I' never starts a valid window, so 'I' + VIN is unambiguous.
    """
    if len(field) == 17:
        return field if is_vin_syntax(field) else None
    if not 17 < len(field) <= 20:
        return None
    windows = [field[i : i + 17] for i in range(len(field) - 16)]
    windows = [w for w in windows if is_vin_syntax(w)]
    if len(windows) <= 1:
        return windows[0] if windows else None
    labelled = {field[len(p) : len(p) + 17] for p in _LABEL_PREFIXES if field.startswith(p)}
    return _prefer(windows, labelled.__contains__)


def vin_from_barcode_text(text: str) -> str | None:
    """Extract the VIN from decoded barcode text, or None if there is none or it is ambiguous."""
    upper = text.upper()
    compact = re.sub(r"\s", "", _CONTROL.sub("", upper))
    if len(compact) <= 20:
        found = _from_field(compact)
        if found is not None:
            return found
    # Multi-field payloads (or a short read with a label and a separator, e.g. 'VIN:...'):
    # a field that is exactly a VIN beats one that needs trimming.
    fields = [f for f in _NON_ALNUM.split(_CONTROL.sub(" ", upper)) if f]
    exact = [f for f in fields if len(f) == 17 and is_vin_syntax(f)]
    if exact:
        return _prefer(exact)
    trimmed = [v for f in fields if (v := _from_field(f)) is not None]
    return _prefer(trimmed) if trimmed else None


def _confidence(fmt: str) -> float:
    return _CODE39_CONFIDENCE if fmt.startswith("Code39") else _STRONG_CONFIDENCE


def barcode_candidates(image: np.ndarray, page: int = 0) -> list[Candidate]:
    """VIN candidates from all barcodes in the image, one per distinct VIN, best first."""
    best: dict[str, Candidate] = {}
    for read in read_barcodes(image):
        vin = vin_from_barcode_text(read.text)
        if vin is None:
            continue
        conf = _confidence(read.format)
        reason = f"barcode:{read.format}"
        prev = best.get(vin)
        if prev is not None:
            # Same VIN in two barcodes (e.g. Code 39 and Data Matrix on one sticker): keep the
            # stronger read and remember both symbologies.
            reasons = tuple(dict.fromkeys((*prev.reasons, reason)))
            if prev.score >= conf:
                best[vin] = replace(prev, reasons=reasons)
                continue
        else:
            reasons = (reason,)
        best[vin] = Candidate(
            vin=vin,
            chars=tuple(CharReading(ch, conf) for ch in vin),
            source="barcode",
            score=conf,
            polygon=read.polygon,
            page=page,
            check_digit=check_digit_status(vin),
            reasons=reasons,
        )
    return sorted(best.values(), key=lambda c: -c.score)
