"""Load whatever a user passes (file, bytes, array, PIL image, PDF) into RGB uint8 numpy arrays.

Every problem with the input itself is raised as :class:`InputError`, whose message starts with the
input's name so batch runs can report which file failed and why.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import warnings
from dataclasses import dataclass
from typing import IO, Any

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".heic", ".heif", ".pdf"}
)

# Only formats identified by magic bytes: a permissive Image.open would hand text files to signature-less
# decoders (TGA) and PostScript to Ghostscript.
_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF", "HEIF", "AVIF", "PPM", "JPEG2000")
_JPEG_FORMATS = ("JPEG", "MPO")  # phone JPEGs often open as MPO (multi-picture JPEG)


class InputError(ValueError):
    """The input cannot be read; the message names the input and the problem."""


@dataclass(frozen=True)
class Page:
    """One decoded image or PDF page: `image` is (H, W, 3) uint8 RGB, `page` 0-based, `name` the input's.

    `scale` = returned size / original size (1.0 if not shrunk): a point in the original pixel grid
    (after EXIF orientation; for PDFs the page rendered at ``pdf_dpi``) is ``xy / scale``.
    """

    image: np.ndarray
    page: int
    name: str
    scale: float


def load_image(source: Any, *, max_side: int = 4096, max_pixels: int = 200_000_000, pdf_dpi: float = 200) -> np.ndarray:
    """Load the first page/frame of `source` as an (H, W, 3) uint8 RGB array (see :func:`load_pages`)."""
    return _load(source, max_side, max_pixels, pdf_dpi, first_only=True)[0].image


def load_pages(source: Any, *, max_side: int = 4096, max_pixels: int = 200_000_000, pdf_dpi: float = 200) -> list[Page]:
    """Load every page of `source` (one for images: the first frame of GIF/TIFF; all pages of a PDF).

    Args:
        source: File path (str/PathLike), bytes, numpy array ((H,W), (H,W,1|3|4), RGB order) or PIL image.
        max_side: Images whose longest side exceeds this are shrunk to it (see ``Page.scale``).
        max_pixels: Encoded images with more pixels than this are refused before decoding.
        pdf_dpi: Resolution at which PDF pages are rendered.

    Raises:
        InputError: The input is missing, unreadable, not an image/PDF, corrupt, or too large.
    """
    return _load(source, max_side, max_pixels, pdf_dpi, first_only=False)


def _load(source: Any, max_side: int, max_pixels: int, pdf_dpi: float, first_only: bool) -> list[Page]:
    if max_side < 1 or max_pixels < 1 or pdf_dpi <= 0:
        raise ValueError("max_side, max_pixels and pdf_dpi must be positive")
    name = _name_of(source)
    try:
        if isinstance(source, str | os.PathLike):
            return _load_path(os.fsdecode(source), name, max_side, max_pixels, pdf_dpi, first_only)
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            if not data:
                raise InputError(f"{name}: empty input")
            if _is_pdf(data[:1024]):
                return _load_pdf(data, name, max_side, pdf_dpi, first_only)
            return [_decode(io.BytesIO(data), name, max_side, max_pixels)]
        if isinstance(source, np.ndarray):
            image, scale = _fit(_array_to_rgb(source, name), max_side)
            return [Page(image, 0, name, scale)]
        if isinstance(source, Image.Image):
            # No draft here: it would mutate the caller's object.
            return [_pil_to_page(source, name, max_side, max_pixels, allow_draft=False)]
        raise InputError(f"{name}: unsupported input type; expected a path, bytes, numpy array or PIL image")
    except InputError:
        raise
    except MemoryError as e:
        raise InputError(f"{name}: out of memory while decoding") from e
    except Exception as e:  # any decoder failure is a property of this input, not a crash of the batch
        raise InputError(f"{name}: cannot read input ({type(e).__name__}: {e})") from e


def _name_of(source: Any) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fsdecode(source) or "''"
    for kind, name in ((bytes | bytearray | memoryview, "<bytes>"), (np.ndarray, "<array>")):
        if isinstance(source, kind):
            return name
    return "<PIL.Image>" if isinstance(source, Image.Image) else f"<{type(source).__name__}>"


def _is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]  # readers accept the header anywhere in the first 1 KiB (after junk/BOM)


def _load_path(path: str, name: str, max_side: int, max_pixels: int, pdf_dpi: float, first_only: bool) -> list[Page]:
    if os.path.isdir(path):  # checked first: Windows reports directories as PermissionError
        raise InputError(f"{name}: is a directory, not a file")
    try:
        f = open(path, "rb")  # closed by the `with` below
    except OSError as e:
        known = {FileNotFoundError: "file not found", PermissionError: "permission denied"}.get(type(e))
        raise InputError(f"{name}: {known or f'cannot open file ({e.strerror or e})'}") from e
    with f:
        try:
            head = f.read(1024)
            f.seek(0)
        except OSError as e:
            raise InputError(f"{name}: cannot read file ({e.strerror or e})") from e
        if not head:
            raise InputError(f"{name}: empty file")
        if _is_pdf(head):
            return _load_pdf(path, name, max_side, pdf_dpi, first_only)
        return [_decode(f, name, max_side, max_pixels)]


@functools.cache
def _formats() -> tuple[str, ...]:
    try:  # registered once, lazily: importing pillow_heif costs start-up time most runs never need
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # HEIC files are then reported as an unrecognised format
        pass
    Image.init()
    return tuple(f for f in _FORMATS if f in Image.OPEN)  # Image.open raises KeyError on unknown names


def _decode(fp: IO[bytes], name: str, max_side: int, max_pixels: int) -> Page:
    formats = _formats()
    # Our own max_pixels check replaces Pillow's warning; Pillow's hard DecompressionBombError still applies.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        # Pillow warns about damaged metadata it can skip; real damage still raises below.
        warnings.filterwarnings("ignore", module=r"PIL\.")
        try:
            im = Image.open(fp, formats=formats)
        except Image.DecompressionBombError as e:
            raise _pillow_bomb(name, e, max_pixels) from e
        except UnidentifiedImageError as e:
            raise InputError(f"{name}: not an image or PDF (unrecognised format)") from e
        except Exception as e:
            raise InputError(f"{name}: corrupt image header ({type(e).__name__}: {e})") from e
        with im:
            return _pil_to_page(im, name, max_side, max_pixels, allow_draft=True)


def _mp(pixels: float) -> str:
    v = pixels / 1e6
    return f"{v:.0f}" if v >= 10 else f"{v:.2g}"


def _pillow_bomb(name: str, e: Exception, max_pixels: int) -> InputError:
    m = re.search(r"\((\d+) pixels\).*?limit of (\d+)", str(e))
    if not m:
        return InputError(f"{name}: image too large ({e})")
    pixels, limit = int(m[1]), min(max_pixels, int(m[2]))
    return InputError(f"{name}: image too large ({_mp(pixels)} MP > {_mp(limit)} MP limit)")


def _pil_to_page(im: Image.Image, name: str, max_side: int, max_pixels: int, allow_draft: bool) -> Page:
    w, h = im.size
    if w * h > max_pixels:  # from the header, before any pixel is decoded
        raise InputError(f"{name}: image too large ({w}x{h} = {_mp(w * h)} MP > {_mp(max_pixels)} MP limit)")
    if w < 1 or h < 1:
        raise InputError(f"{name}: image has zero size ({w}x{h})")
    if allow_draft and im.format in _JPEG_FORMATS and max(w, h) > max_side:
        # libjpeg decodes at 1/2, 1/4 or 1/8 directly: far faster than decoding full size then resizing.
        # Take the mildest of those that fits max_side (draft never goes below the size it is asked for).
        k = next((k for k in (2, 4, 8) if max(w, h) / k <= max_side), 8)
        im.draft("RGB", (max(1, math.ceil(w / k)), max(1, math.ceil(h / k))))
    try:
        im.load()  # forces the full decode so truncation surfaces here, not later as garbage
    except Image.DecompressionBombError as e:
        raise _pillow_bomb(name, e, max_pixels) from e
    except Exception as e:
        raise InputError(f"{name}: truncated or corrupt image ({e})") from e
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:  # a malformed EXIF block should not reject otherwise readable pixels
        pass
    image, _ = _fit(_pil_to_rgb(im, name), max_side)
    return Page(image, 0, name, min(1.0, max(image.shape[:2]) / max(w, h)))


def _pil_to_rgb(im: Image.Image, name: str) -> np.ndarray:
    if im.mode in ("I", "F") or im.mode.startswith("I;16"):
        return _array_to_rgb(np.asarray(im), name)  # high bit depth: scale, never clip to white
    if im.has_transparency_data or im.mode in ("LA", "La", "PA", "RGBa"):
        return _composite_white(np.asarray(im.convert("RGBA")))
    try:
        return np.array(im if im.mode == "RGB" else im.convert("RGB"))  # copy: writeable for callers
    except (ValueError, OSError) as e:
        raise InputError(f"{name}: unsupported colour mode {im.mode} ({e})") from e


def _composite_white(rgba: np.ndarray) -> np.ndarray:
    # Transparent areas become white, as a viewer would show them on paper; black would hide dark text.
    a = rgba[..., 3:4].astype(np.uint16)
    rgb = rgba[..., :3].astype(np.uint16)
    return ((rgb * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def _array_to_rgb(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (3, 4))):
        raise InputError(f"{name}: bad array shape {arr.shape}; expected (H,W), (H,W,3) or (H,W,4)")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InputError(f"{name}: empty array of shape {arr.shape}")
    if arr.dtype.kind not in "buif":
        raise InputError(f"{name}: unsupported array dtype {arr.dtype}; expected uint8, uint16 or float")
    u8 = _to_uint8(arr)
    if u8.ndim == 2:
        return np.stack([u8] * 3, axis=-1)
    # Always a fresh, writeable array: never an alias of the caller's (or PDFium's) buffer.
    return _composite_white(u8) if u8.shape[2] == 4 else np.array(u8)


def _to_uint8(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.uint8:
        return a
    if a.dtype.kind == "b":
        return a.astype(np.uint8) * 255
    if a.dtype.kind == "u" and a.dtype.itemsize == 2:
        return (a >> 8).astype(np.uint8)  # 16-bit data: keep relative brightness
    if a.dtype.kind == "f":
        a = np.where(np.isfinite(a), a, 0).astype(np.float32)
    lo, hi = float(a.min()), float(a.max())
    if a.dtype.kind == "f" and lo >= 0 and hi <= 1:
        return (a * 255 + 0.5).astype(np.uint8)
    if lo >= 0 and hi <= 255:
        return (a + 0.5).astype(np.uint8) if a.dtype.kind == "f" else a.astype(np.uint8)
    if a.dtype.kind in "ui" and lo >= 0 and hi <= 65535:
        return (a >> 8).astype(np.uint8)  # 32-bit Pillow "I" images usually hold 16-bit samples
    if hi <= lo:
        return np.zeros(a.shape, np.uint8)
    # Unknown range (negative or huge values): stretch min..max rather than clip everything to white.
    return ((a.astype(np.float32) - lo) * (255.0 / (hi - lo)) + 0.5).astype(np.uint8)


def _fit(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image, 1.0
    f = max_side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), f


def _load_pdf(src: str | bytes, name: str, max_side: int, pdf_dpi: float, first_only: bool) -> list[Page]:
    import pypdfium2 as pdfium  # lazy: only PDF inputs pay for loading PDFium

    try:
        pdf = pdfium.PdfDocument(src)
    except pdfium.PdfiumError as e:
        # PDFium refuses documents with an empty page tree but reports "Success" as the error.
        if getattr(e, "err_code", None) == 0:
            raise InputError(f"{name}: PDF has no pages") from e
        raise InputError(f"{name}: cannot open PDF ({e})") from e
    pages: list[Page] = []
    try:
        n = len(pdf)
        if n == 0:
            raise InputError(f"{name}: PDF has no pages")
        for i in range(1 if first_only else n):
            page = pdf[i]
            try:
                base = pdf_dpi / 72  # PDF units are 1/72 inch
                full_long = max(page.get_size()) * base
                if full_long <= 0:
                    raise InputError(f"{name}: PDF page {i + 1} has zero size")
                # Render directly at the reduced size instead of rendering big and shrinking.
                render_scale = base * min(1.0, max_side / full_long)
                bitmap = page.render(scale=render_scale, rev_byteorder=True)
                try:  # rev_byteorder gives RGB; to_numpy is a view into PDFium's buffer, copied here
                    arr = _array_to_rgb(bitmap.to_numpy(), name)
                finally:
                    bitmap.close()
            except pdfium.PdfiumError as e:
                raise InputError(f"{name}: cannot render PDF page {i + 1} ({e})") from e
            finally:
                page.close()
            image, _ = _fit(arr, max_side)  # PDFium rounds sizes up, so enforce the bound exactly
            shrunk = render_scale < base or image is not arr
            pages.append(Page(image, i, name, max(image.shape[:2]) / full_long if shrunk else 1.0))
    finally:
        pdf.close()
    return pages
