"""Tests for vinreader.io: every asset is generated in tmp_path."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from vinreader.io import IMAGE_EXTENSIONS, InputError, Page, load_image, load_pages


def _pattern(w: int = 64, h: int = 48) -> Image.Image:
    """Four flat colour quadrants: survives lossy codecs and shows rotations."""
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (220, 30, 30)
    a[: h // 2, w // 2 :] = (30, 200, 30)
    a[h // 2 :, : w // 2] = (30, 30, 220)
    a[h // 2 :, w // 2 :] = (240, 240, 240)
    return Image.fromarray(a)


def _px(img: np.ndarray, y: int, x: int) -> tuple[int, ...]:
    return tuple(int(v) for v in img[y, x])


def _png_header(w: int, h: int) -> bytes:
    """A PNG that claims w x h in its IHDR without holding that many pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _make_pdf(path: Path, sizes: list[tuple[float, float]]) -> Path:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for w, h in sizes:
        pdf.new_page(w, h)
    pdf.save(str(path))
    pdf.close()
    return path


def _raises(source, *fragments: str, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        load_pages(source, **kw)
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, msg
    return info.value


# --- round trips --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "suffix", "tol"),
    [
        ("JPEG", ".jpg", 12),
        ("PNG", ".png", 0),
        ("WEBP", ".webp", 12),
        ("BMP", ".bmp", 0),
        ("TIFF", ".tif", 0),
    ],
)
def test_round_trip(tmp_path: Path, fmt: str, suffix: str, tol: int) -> None:
    src = _pattern()
    path = tmp_path / f"img{suffix}"
    src.save(path, format=fmt)
    pages = load_pages(path)
    assert len(pages) == 1
    p = pages[0]
    assert isinstance(p, Page) and p.page == 0 and p.scale == 1.0 and p.name == str(path)
    assert p.image.shape == (48, 64, 3) and p.image.dtype == np.uint8
    assert np.abs(p.image.astype(int) - np.asarray(src, int)).mean() <= max(tol, 0.01)


def test_extensions() -> None:
    assert {
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".bmp",
        ".tif",
        ".tiff",
        ".gif",
        ".heic",
        ".heif",
        ".pdf",
    } == set(IMAGE_EXTENSIONS)


def test_exif_orientation(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "rot.jpg"
    _pattern(60, 40).save(path, exif=exif.tobytes())
    img = load_image(path)
    assert img.shape == (60, 40, 3)
    # The top-left red quadrant ends up top-right after a clockwise turn.
    assert _px(img, 5, -5) == pytest.approx((220, 30, 30), abs=20)


def test_pdf_two_pages(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "doc.pdf", [(144, 72), (72, 144)])
    pages = load_pages(path, pdf_dpi=100)
    assert [p.page for p in pages] == [0, 1]
    assert pages[0].image.shape == (100, 200, 3) and pages[1].image.shape == (200, 100, 3)
    assert all(p.scale == 1.0 and p.name == str(path) and (p.image == 255).all() for p in pages)
    # Shrunk to max_side while rendering; scale maps back to the pdf_dpi grid.
    small = load_pages(path, pdf_dpi=100, max_side=50)
    assert small[0].image.shape == (25, 50, 3) and small[0].scale == pytest.approx(0.25)
    assert load_image(path, pdf_dpi=100).shape == (100, 200, 3)


def test_pdf_detected_by_magic_not_extension(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "scan.jpg", [(72, 72)])
    assert len(load_pages(path, pdf_dpi=72)) == 1
    assert load_pages(path.read_bytes(), pdf_dpi=72)[0].name == "<bytes>"


def test_pdf_zero_pages(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "empty.pdf", [])
    _raises(path, "empty.pdf", "PDF has no pages")


def test_pdf_broken(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    _raises(path, "broken.pdf", "cannot open PDF")


def test_heic(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("no HEIF encoder")
    path = tmp_path / "photo.heic"
    src = _pattern()
    pillow_heif.from_pillow(src).save(str(path), quality=95)
    img = load_image(path)
    assert img.shape == (48, 64, 3)
    assert np.abs(img.astype(int) - np.asarray(src, int)).mean() < 15


def test_large_jpeg_uses_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (6000, 4000), (90, 120, 150)).save(path, quality=50)
    calls = []
    orig = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        calls.append(size)
        return orig(self, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    p = load_pages(path, max_side=1000)[0]
    assert calls, "draft() was not used"
    # The mildest libjpeg reduction that fits max_side (1/8 here), with no resize after it.
    assert p.image.shape == (500, 750, 3)
    assert p.scale == pytest.approx(750 / 6000, rel=1e-3)
    assert _px(p.image, 300, 500) == pytest.approx((90, 120, 150), abs=4)


def test_large_png_resized(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGB", (3000, 1000), (10, 20, 30)).save(path)
    p = load_pages(path, max_side=1000)[0]
    assert p.image.shape == (333, 1000, 3) and p.scale == pytest.approx(1 / 3, rel=1e-3)


# --- modes --------------------------------------------------------------------------------------------


def test_16bit_png(tmp_path: Path) -> None:
    ramp = np.tile(np.linspace(0, 40000, 256).astype(np.uint16), (8, 1))
    path = tmp_path / "deep.png"
    Image.fromarray(ramp).save(path)
    img = load_image(path)
    assert img.shape == (8, 256, 3)
    row = img[0, :, 0].astype(int)
    assert (np.diff(row) >= 0).all() and row[0] == 0 and 150 <= row[-1] <= 160  # 40000 >> 8 = 156
    assert (img[..., 0] == img[..., 2]).all()


def test_float_tiff(tmp_path: Path) -> None:
    path = tmp_path / "float.tif"
    Image.fromarray(np.full((4, 4), 0.5, np.float32), mode="F").save(path)
    assert load_image(path)[0, 0, 0] == 128


def test_cmyk_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(path, quality=95)
    img = load_image(path)
    assert img.shape == (32, 32, 3)
    assert _px(img, 16, 16) == pytest.approx((255, 0, 0), abs=10)


def test_palette_png_with_transparency(tmp_path: Path) -> None:
    im = Image.new("P", (10, 10), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    im.paste(1, (0, 0, 5, 10))
    path = tmp_path / "pal.png"
    im.save(path, transparency=0)
    img = load_image(path)
    assert _px(img, 5, 2) == (255, 0, 0) and _px(img, 5, 8) == (255, 255, 255)


def test_rgba_and_la_composite_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 3] = 0
    rgba[0, 0] = (0, 0, 0, 255)
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba).save(path)
    img = load_image(path)
    assert _px(img, 0, 0) == (0, 0, 0) and _px(img, 2, 2) == (255, 255, 255)
    la = Image.new("LA", (4, 4), (0, 128))
    assert 126 <= load_image(la)[0, 0, 0] <= 129


def test_one_bit(tmp_path: Path) -> None:
    im = Image.new("1", (16, 8), 0)
    im.paste(1, (0, 0, 8, 8))
    path = tmp_path / "bw.png"
    im.save(path)
    img = load_image(path)
    assert _px(img, 4, 2) == (255, 255, 255) and _px(img, 4, 12) == (0, 0, 0)


def test_animated_gif_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (20, 20), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, loop=0)
    pages = load_pages(path)
    assert len(pages) == 1 and pages[0].page == 0
    assert _px(pages[0].image, 10, 10) == (255, 0, 0)


def test_multiframe_tiff_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("L", (20, 10), v) for v in (30, 200)]
    path = tmp_path / "multi.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = load_pages(path)
    assert len(pages) == 1 and pages[0].image.shape == (10, 20, 3) and pages[0].image[0, 0, 0] == 30


# --- other source types -------------------------------------------------------------------------------


def test_bytes_and_pil_inputs() -> None:
    buf = io.BytesIO()
    _pattern().save(buf, format="PNG")
    for src in (buf.getvalue(), bytearray(buf.getvalue())):
        p = load_pages(src)[0]
        assert p.name == "<bytes>" and p.image.shape == (48, 64, 3)
    p = load_pages(_pattern())[0]
    assert p.name == "<PIL.Image>" and _px(p.image, 0, 0) == (220, 30, 30)
    assert load_image(_pattern().convert("P")).shape == (48, 64, 3)


def test_array_inputs() -> None:
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert (load_image(gray)[..., 1] == gray).all()
    rgb = np.random.default_rng(0).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    assert (load_image(rgb) == rgb).all()
    rgba = np.zeros((2, 2, 4), np.uint8)
    assert (load_image(rgba) == 255).all()  # fully transparent -> white
    assert load_image(np.full((2, 2), 65535, np.uint16))[0, 0, 0] == 255
    assert load_image(np.full((2, 2), 0.5, np.float32))[0, 0, 0] == 128
    assert load_image(np.full((2, 2, 1), 7, np.uint8))[0, 0, 0] == 7
    big = load_pages(np.zeros((100, 400, 3), np.uint8), max_side=200)[0]
    assert big.image.shape == (50, 200, 3) and big.scale == 0.5 and big.name == "<array>"


@pytest.mark.parametrize(
    ("arr", "problem"),
    [
        (np.zeros((4, 4, 2), np.uint8), "bad array shape"),
        (np.zeros((4,), np.uint8), "bad array shape"),
        (np.zeros((2, 2, 3, 1), np.uint8), "bad array shape"),
        (np.zeros((0, 4, 3), np.uint8), "empty array"),
        (np.array([["a"]]), "dtype"),
    ],
)
def test_bad_arrays(arr: np.ndarray, problem: str) -> None:
    _raises(arr, "<array>", problem)


def test_unsupported_type() -> None:
    _raises(12345, "<int>", "unsupported input type")


# --- bad inputs ---------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    _raises(tmp_path / "nope.jpg", "nope.jpg", "file not found")


def test_directory(tmp_path: Path) -> None:
    _raises(tmp_path, str(tmp_path), "is a directory")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.png"
    _pattern().save(path)
    path.chmod(0)
    try:
        _raises(path, "secret.png", "permission denied")
    finally:
        path.chmod(0o644)


def test_permission_denied_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same check as above, but also when the tests run as root."""
    import vinreader.io as vio

    def deny(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    path = tmp_path / "locked.png"
    _pattern().save(path)
    monkeypatch.setattr(vio, "open", deny, raising=False)
    _raises(path, "locked.png", "permission denied")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "zero.jpg"
    path.write_bytes(b"")
    _raises(path, "zero.jpg", "empty file")
    _raises(b"", "<bytes>", "empty")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("VIN 1HGCM82633A004352\n" * 20)
    _raises(path, "notes.jpg", "not an image or PDF (unrecognised format)")


def test_corrupt_bytes(tmp_path: Path) -> None:
    path = tmp_path / "garbage.png"
    path.write_bytes(os.urandom(2000))
    _raises(path, "garbage.png", "not an image or PDF")
    # A valid JPEG signature followed by junk.
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    _raises(path, "garbage.png")


def test_truncated_jpeg(tmp_path: Path) -> None:
    full = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (200, 300, 3), dtype=np.uint8)).save(full, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(full.getvalue()[: len(full.getvalue()) // 2])
    _raises(path, "cut.jpg", "truncated or corrupt image")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"])
def test_every_truncation_is_input_error_or_intact(fmt: str) -> None:
    buf = io.BytesIO()
    _pattern(32, 32).save(buf, fmt)
    data = buf.getvalue()
    expected = load_image(data)
    errors = 0
    for n in range(1, len(data), max(1, len(data) // 60)):
        try:
            img = load_image(data[:n])
        except InputError as e:
            assert str(e).startswith("<bytes>: "), e
            errors += 1
        else:  # cutting only trailing metadata (e.g. PNG's IEND) may leave the pixels complete
            assert (img == expected).all(), n
    assert errors > 0


def test_huge_header_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(30000, 30000))
    _raises(path, "bomb.png", "image too large", "900 MP")  # Pillow's hard limit, reworded
    path.write_bytes(_png_header(12000, 12000))
    _raises(path, "bomb.png", "image too large (12000x12000 = 144 MP > 100 MP limit)", max_pixels=100_000_000)
    _raises(_png_header(100, 100), "<bytes>", "(100x100 = 0.01 MP > 0.005 MP limit)", max_pixels=5000)
