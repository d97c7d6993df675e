"""vinreader: read Vehicle Identification Numbers from photos, barcodes and forms, offline on CPU.

Example:
    >>> from vinreader import VinReader
    >>> result = VinReader().read("door_sticker.jpg")
    >>> print(result.vin, result.confidence, result.check_digit)
"""

from vinreader.pipeline import ReaderConfig, VinReader
from vinreader.types import VinResult

__all__ = ["ReaderConfig", "VinReader", "VinResult", "read"]
__version__ = "0.1.0"


def read(source, **options) -> VinResult:
    """Read one input with a reader built for this call (build a VinReader to read many)."""
    return VinReader(**options).read(source)
