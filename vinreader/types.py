"""Result and geometry types shared by every stage.

All types are frozen dataclasses and turn into plain JSON with :meth:`to_dict`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Point = tuple[float, float]
Polygon = tuple[Point, ...]
"""Four (x, y) corners in image pixel coordinates, clockwise from top-left."""

CheckDigitStatus = Literal["valid", "invalid", "not_applicable", "unknown"]
"""`valid`/`invalid` where the region requires the check digit (North America, China);
elsewhere `not_applicable` (Europe, where position 9 is free) or `unknown`; an optional check digit
that happens to match is still reported `valid`."""

Source = Literal["text", "barcode", "both"]


@dataclass(frozen=True)
class CharReading:
    """One VIN character as read, with its probability and the runners-up."""

    char: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "char": self.char,
            "confidence": round(self.confidence, 4),
            "alternatives": [[c, round(p, 4)] for c, p in self.alternatives],
        }


@dataclass(frozen=True)
class VinInfo:
    """What the VIN says about the vehicle (decoded with `vininfo`)."""

    wmi: str
    region: str | None = None
    country: str | None = None
    manufacturer: str | None = None
    model_years: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["model_years"] = list(self.model_years)
        return d


@dataclass(frozen=True)
class Candidate:
    """One 17-character reading found in an image, before the reader chooses."""

    vin: str
    chars: tuple[CharReading, ...]
    source: Source
    score: float
    polygon: Polygon | None = None
    page: int = 0
    check_digit: CheckDigitStatus = "unknown"
    reasons: tuple[str, ...] = ()

    @property
    def confidence(self) -> float:
        """The weakest character's probability: one bad character makes a wrong VIN."""
        return min((c.confidence for c in self.chars), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "vin": self.vin,
            "confidence": round(self.confidence, 4),
            "score": round(self.score, 4),
            "source": self.source,
            "check_digit": self.check_digit,
            "page": self.page,
            "polygon": _polygon_list(self.polygon),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class VinResult:
    """What the reader reports for one image (or one PDF page).

    `vin` is None when the reader is not sure (see `needs_review`/`reasons` and `candidates`) or when
    the input could not be read (see `error`).
    """

    path: str
    vin: str | None = None
    confidence: float = 0.0
    chars: tuple[CharReading, ...] = ()
    check_digit: CheckDigitStatus | None = None
    source: Source | None = None
    polygon: Polygon | None = None
    page: int = 0
    info: VinInfo | None = None
    needs_review: bool = True
    reasons: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    error: str | None = None
    elapsed_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "page": self.page,
            "vin": self.vin,
            "confidence": round(self.confidence, 4),
            "check_digit": self.check_digit,
            "source": self.source,
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "chars": [c.to_dict() for c in self.chars],
            "polygon": _polygon_list(self.polygon),
            "info": self.info.to_dict() if self.info else None,
            "candidates": [c.to_dict() for c in self.candidates],
            "error": self.error,
            "elapsed_s": round(self.elapsed_s, 4),
        }


def _polygon_list(polygon: Polygon | None) -> list[list[float]] | None:
    if polygon is None:
        return None
    return [[round(float(x), 1), round(float(y), 1)] for x, y in polygon]
