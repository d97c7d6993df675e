"""Tests for vinreader.barcode: images are generated with zxing-cpp's writer, nothing is downloaded."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp

from vinreader.barcode import BarcodeRead, barcode_candidates, read_barcodes, vin_from_barcode_text

HONDA = "1HGCM82633A004352"  # North American, valid check digit
VW = "WVWZZZ1JZXW000001"  # European, check digit not applicable


def _symbol(text: str, fmt: zxingcpp.BarcodeFormat, scale: int) -> np.ndarray:
    """Render a barcode as an RGB uint8 array with an extra white quiet zone."""
    barcode = zxingcpp.create_barcode(text, fmt)
    grey = np.array(zxingcpp.write_barcode_to_image(barcode, scale=scale), dtype=np.uint8)
    grey = cv2.copyMakeBorder(grey, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    return np.repeat(grey[:, :, None], 3, axis=2)


def _scene(symbol: np.ndarray, size: tuple[int, int] = (700, 1100), at: tuple[int, int] = (150, 60)) -> np.ndarray:
    """Paste a symbol onto a larger grey, noisy RGB background (a photo-like page)."""
    rng = np.random.default_rng(0)
    h, w = size
    scene = rng.normal(140, 25, (h, w, 3)).clip(0, 255).astype(np.uint8)
    y, x = at
    sh, sw = symbol.shape[:2]
    scene[y : y + sh, x : x + sw] = symbol
    return scene


def _inside(polygon, image: np.ndarray) -> bool:
    h, w = image.shape[:2]
    return len(polygon) == 4 and all(0 <= x <= w and 0 <= y <= h for x, y in polygon)


@pytest.mark.parametrize(
    ("payload", "fmt", "scale", "expected_fmt", "conf"),
    [
        (HONDA, zxingcpp.BarcodeFormat.Code39, 2, "Code39", 0.99),
        ("I" + HONDA, zxingcpp.BarcodeFormat.Code39, 2, "Code39", 0.99),
        (VW, zxingcpp.BarcodeFormat.DataMatrix, 6, "DataMatrix", 0.999),
        (f"VIN:{VW}|MAKE:VOLKSWAGEN|MODEL:GOLF", zxingcpp.BarcodeFormat.QRCode, 5, "QRCode", 0.999),
        (HONDA, zxingcpp.BarcodeFormat.Code128, 2, "Code128", 0.999),
        (f"NAME;DOE;{HONDA};2003", zxingcpp.BarcodeFormat.PDF417, 3, "PDF417", 0.999),
    ],
)
def test_candidates_from_generated_barcodes(payload, fmt, scale, expected_fmt, conf):
    image = _scene(_symbol(payload, fmt, scale))
    cands = barcode_candidates(image, page=2)
    assert len(cands) == 1
    cand = cands[0]
    vin = VW if VW in payload else HONDA
    assert cand.vin == vin
    assert cand.source == "barcode"
    assert cand.page == 2
    assert cand.reasons == (f"barcode:{expected_fmt}",)
    assert cand.score == conf and cand.confidence == conf
    assert "".join(c.char for c in cand.chars) == vin
    assert cand.check_digit == ("valid" if vin == HONDA else "not_applicable")
    assert _inside(cand.polygon, image)
    # The symbol was pasted at x=60..., y=150...: the polygon must lie on it, not elsewhere.
    xs, ys = zip(*cand.polygon, strict=True)
    assert min(xs) >= 60 and min(ys) >= 150


def test_read_barcodes_raw_text_and_format():
    image = _scene(_symbol("I" + HONDA, zxingcpp.BarcodeFormat.Code39, 2))
    reads = read_barcodes(image)
    assert len(reads) == 1
    assert isinstance(reads[0], BarcodeRead)
    assert reads[0].text == "I" + HONDA
    assert reads[0].format == "Code39"


def test_grayscale_input_reads():
    image = _scene(_symbol(HONDA, zxingcpp.BarcodeFormat.Code39, 2))
    assert [r.text for r in read_barcodes(image[:, :, 0])] == [HONDA]


def test_rotated_barcode_still_reads():
    image = _scene(_symbol(HONDA, zxingcpp.BarcodeFormat.Code39, 3), at=(250, 80))
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 10, 1.0)
    rotated = cv2.warpAffine(image, matrix, (w, h), borderValue=(140, 140, 140))
    cands = barcode_candidates(rotated)
    assert [c.vin for c in cands] == [HONDA]
    assert _inside(cands[0].polygon, rotated)


def test_same_vin_in_two_symbols_is_deduplicated():
    scene = _scene(_symbol(HONDA, zxingcpp.BarcodeFormat.Code39, 2), at=(60, 60))
    dm = _symbol(HONDA, zxingcpp.BarcodeFormat.DataMatrix, 6)
    scene[400 : 400 + dm.shape[0], 100 : 100 + dm.shape[1]] = dm
    cands = barcode_candidates(scene)
    assert len(cands) == 1
    assert cands[0].vin == HONDA
    assert cands[0].score == 0.999  # the Reed-Solomon protected read wins
    assert set(cands[0].reasons) == {"barcode:Code39", "barcode:DataMatrix"}


def test_no_barcode_gives_nothing():
    image = _scene(np.full((100, 300, 3), 255, np.uint8))
    assert read_barcodes(image) == []
    assert barcode_candidates(image) == []
    assert barcode_candidates(np.zeros((0, 0, 3), np.uint8)) == []


def test_non_vin_barcode_is_ignored():
    image = _scene(_symbol("HELLO WORLD", zxingcpp.BarcodeFormat.Code128, 2))
    assert [r.text for r in read_barcodes(image)] == ["HELLO WORLD"]
    assert barcode_candidates(image) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HONDA, HONDA),
        (" 1hgcm82633a004352\r\n", HONDA),
        ("1HGCM\x0082633A004352", HONDA),  # control characters are dropped
        ("I" + HONDA, HONDA),  # ANSI data identifier 'I' on US door stickers
        ("I" + VW, VW),
        (HONDA + "X", HONDA),  # trailing extra character (e.g. a Code 39 check character)
        (HONDA + "XY", HONDA),  # only the window with the required check digit qualifies
        ("VIN" + HONDA, HONDA),
        ("I" + VW + "2", VW),  # the shifted window is ruled out by the 'I' label
        (VW + "A", VW),  # known WMI 'WVW' beats the shifted 'VWZ'
        ("1HGCM82633A00435", None),  # 16 characters
        ("1HGCM82633A0O4352", None),  # 'O' is not a VIN character
        ("", None),
        ("HELLO WORLD", None),
    ],
)
def test_vin_from_short_text(text, expected):
    assert vin_from_barcode_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"VIN:{VW}|MAKE:VOLKSWAGEN|YEAR:1999", VW),
        (f"VIN: {HONDA}", HONDA),
        (f"DOE;JOHN;{HONDA};2003;HONDA ACCORD", HONDA),
        (f"A,B\n{HONDA}\nC", HONDA),
        (f"*{HONDA}*", HONDA),
        (f"[)>\x1e06\x1dI{VW}\x1d1P12345\x1e\x04", VW),  # ISO 15434 with GS/RS separators
        (f"{HONDA}|{HONDA}", HONDA),  # the same VIN twice is not ambiguous
        (f"{VW};JHMCM56557C404453", None),  # two different plausible VINs: ambiguous
        (f"{HONDA}|1FTFW1ET1EFA00001", HONDA),  # the second one fails its mandatory check digit
        ("NAME:JOHN DOE|PLATE:AB123CD|DATE:2024-01-01", None),
    ],
)
def test_vin_from_payload(text, expected):
    assert vin_from_barcode_text(text) == expected
