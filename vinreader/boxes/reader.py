"""BoxReader: a form with the VIN in 17 boxes -> VinResult, like the photo reader's.

load (io.py) -> find the row of 17 boxes (find.py) -> cut each box with its surroundings, as found and
moved a little each way -> normalise each glyph, walls removed and strokes beyond them kept (cell.py)
-> classify every view, average (models/charbox.py) -> a known maker's serial digits expected
(`serial_prior`) -> one candidate, scored by the VIN rules (choose.py) -> VinResult.

Each character keeps its probability and runners-up. The answer is given only when the candidate's
score (its weakest character, discounted by the VIN rules: a wrong required check digit, see
:data:`BOX_PENALTIES`; and raised by a right one, `choose.CHECK_DIGIT_ODDS`) reaches ``min_score``;
an empty box or a row that cannot be found gives no VIN. When the region requires a check digit and
the reading fails it, the most probable reading of the runners-up that satisfies it competes as well,
marked ``check_digit_corrected`` (``choose.check_digit_corrected``), scored by its characters'
probabilities given a right check digit.

Example:
    >>> from vinreader.boxes import BoxReader
    >>> reader = BoxReader()  # doctest: +SKIP
    >>> reader.read("form.png").vin  # doctest: +SKIP
    '1HGCM82633A004352'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from vinreader.boxes.cell import VIEW_SHIFTS, row_views
from vinreader.boxes.find import BoxRow, find_box_row
from vinreader.boxes.glyph import is_empty, normalize_glyph
from vinreader.choose import CHECK_DIGIT_ODDS, PENALTIES, check_digit_corrected, decide
from vinreader.io import Page
from vinreader.pages import read_best_page
from vinreader.types import Candidate, CharReading, VinResult
from vinreader.vin import VIN_ALPHABET, VIN_LENGTH, check_digit_status, decode, known_wmi, serial_digit_positions

# The photo reader doubts a maker code vininfo does not know, since a photo holds other 17-character
# text; a row of 17 boxes is the VIN field itself, and vininfo misses many real plants' codes (Russian
# assembly plants' among them), so here an unknown maker code is reported but costs nothing.
BOX_PENALTIES = {reason: factor for reason, factor in PENALTIES.items() if reason != "unknown_wmi"}
_LETTERS = np.array([c.isalpha() for c in VIN_ALPHABET])


@dataclass(frozen=True)
class BoxReaderConfig:
    """Settings of the box reader.

    Attributes:
        classifier: model name or card path of the character classifier (default: the mean of
            networks trained apart, named in `vin_charbox_mean.json`; see the model card).
        min_score: the weakest character's probability, after the VIN-rule discounts, needed to answer:
            the smallest of 0.50, 0.55, ..., 0.95 giving at most 1.5% false answers on generated
            validation forms of seeds 7-10 pooled (1,800 forms; see the model card).
        alternatives: runners-up kept per character.
        views: each box is cut this many ways (the first of `cell.VIEW_SHIFTS`: as found, then moved by
            6% of its side each way) and the classifier's probabilities averaged; 1 cuts it once.
        max_side: images are shrunk to this longest side when loaded.
        serial_letter_weight: in a row whose maker code vininfo knows, the probability of a letter at
            a position ISO 3779 makes a digit (`vin.serial_digit_positions`) is multiplied by this
            before the row is decided (`serial_prior`); 1 leaves the classifier's probabilities as they are.
    """

    classifier: str = "vin_charbox_mean"
    min_score: float = 0.8
    alternatives: int = 3
    views: int = len(VIEW_SHIFTS)
    max_side: int = 4096
    serial_letter_weight: float = 0.05

    def __post_init__(self) -> None:
        if not 0 <= self.min_score <= 1:
            raise ValueError(f"min_score must be in [0, 1], got {self.min_score}")
        if self.alternatives < 0:
            raise ValueError(f"alternatives must be >= 0, got {self.alternatives}")
        if not 0 < self.serial_letter_weight <= 1:
            raise ValueError(f"serial_letter_weight must be in (0, 1], got {self.serial_letter_weight}")
        if not 1 <= self.views <= len(VIEW_SHIFTS):
            raise ValueError(f"views must be in [1, {len(VIEW_SHIFTS)}], got {self.views}")


def char_readings(probs: np.ndarray, alternatives: int = 3) -> list[CharReading]:
    """(N, 33) probabilities -> the best character of each row with its runners-up."""
    readings = []
    for row in probs:
        order = np.argsort(-row)
        alts = tuple((VIN_ALPHABET[k], float(row[k])) for k in order[1 : 1 + alternatives])
        readings.append(CharReading(VIN_ALPHABET[order[0]], float(row[order[0]]), alts))
    return readings


def serial_prior(probs: np.ndarray, letter_weight: float) -> np.ndarray:
    """(17, 33) probabilities of a row of boxes -> the same with the VIN's serial digits expected.

    A registered maker follows ISO 3779: the last characters of its VINs are digits
    (`vin.serial_digit_positions`). Where the row's most probable reading has a maker code vininfo
    knows, the letters at those positions are multiplied by ``letter_weight`` and each row renormalised:
    a handwritten ``5`` read as ``S`` (or ``0`` as ``D``, ``6`` as ``G``) there is read as the digit
    unless the letter is much the likelier. Rows of unknown makers are left as they are.
    """
    best = "".join(VIN_ALPHABET[k] for k in probs.argmax(axis=1))
    if letter_weight >= 1 or len(best) != VIN_LENGTH or not known_wmi(best):
        return probs
    out = probs.copy()
    for k in serial_digit_positions(best):
        out[k, _LETTERS] *= letter_weight
        out[k] /= out[k].sum()
    return out


def average_views(probs: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Probabilities of N filled boxes, each cut V ways -> (N, 33): the mean over the views that count.

    ``probs``: (V, N, 33), or (M, V, N, 33) for M networks (the mean is then over networks as well);
    ``empty``: (V, N), whether each cut of each box looks empty. A box's first view always counts
    (whether the box is filled is decided on it); each other view counts where it is not empty.
    """
    use = ~np.asarray(empty, bool)
    use[0] = True
    probs = probs if probs.ndim == 4 else probs[None]
    return (probs * use[None, :, :, None]).sum((0, 1)) / (probs.shape[0] * use.sum(0))[:, None]


class BoxReader:
    """Reads VINs written one character per box; the classifier loads once."""

    def __init__(self, config: BoxReaderConfig | None = None) -> None:
        from vinreader.models.registry import build_classifier

        self.config = config or BoxReaderConfig()
        self.classifier = build_classifier(self.config.classifier)

    def classify(self, boxes: list[np.ndarray]) -> list[CharReading | None]:
        """Cut-out boxes (any polarity, border or not) -> one reading each; None for an empty box."""
        return self.classify_glyphs([normalize_glyph(box) for box in boxes])

    def read_row(self, image: np.ndarray, row: BoxRow) -> list[CharReading | None]:
        """The boxes of ``row`` on ``image``, each cut with its surroundings -> one reading each (None: empty)."""
        first, *others = row_views(image, row, self.config.views)
        return self.classify_glyphs(first, others, vin_row=True)

    def classify_glyphs(
        self, glyphs: list[np.ndarray], views: list[list[np.ndarray]] | None = None, vin_row: bool = False
    ) -> list[CharReading | None]:
        """Normalised glyphs -> one reading each; None for an empty glyph.

        ``views``: the same boxes cut other ways (lists like ``glyphs``), averaged as `average_views`
        says. Whether a box is empty is decided on ``glyphs`` alone.
        ``vin_row``: the glyphs are a VIN's 17 boxes in order; when all are filled the VIN's serial
        digits are expected (`serial_prior`).
        """
        filled = [k for k, glyph in enumerate(glyphs) if not is_empty(glyph)]
        readings: list[CharReading | None] = [None] * len(glyphs)
        if not filled:
            return readings
        cuts = [glyphs, *(views or [])]
        empty = np.array([[v > 0 and is_empty(cut[k]) for k in filled] for v, cut in enumerate(cuts)])
        probs = np.zeros((len(cuts), len(filled), len(VIN_ALPHABET)))
        probs[~empty] = self.classifier(np.stack([cuts[v][filled[j]] for v, j in np.argwhere(~empty)]))
        mean = average_views(probs, empty)
        if vin_row and len(filled) == len(glyphs):
            mean = serial_prior(mean, self.config.serial_letter_weight)
        for k, reading in zip(filled, char_readings(mean, self.config.alternatives), strict=True):
            readings[k] = reading
        return readings

    def read(self, source: Any, name: str | None = None) -> VinResult:
        """Read one form (path, bytes, array, PIL image; a PDF's best page). Never raises for bad input."""
        return read_best_page(source, name, self.config.max_side, self._read_page)

    def _read_page(self, page: Page, label: str) -> VinResult:
        row = find_box_row(page.image)
        if row is None:
            return VinResult(path=label, page=page.page, reasons=("no_box_row_found",))
        polygon = tuple((float(x), float(y)) for x, y in row.polygon / page.scale)
        readings = self.read_row(page.image, row)
        extra = {"boxes_found": int(row.found.sum())}
        if any(r is None for r in readings):
            empty = [k + 1 for k, r in enumerate(readings) if r is None]
            chars = tuple(r or CharReading("", 0.0) for r in readings)
            reasons = ("empty_box",)
            return VinResult(path=label, page=page.page, chars=chars, polygon=polygon, reasons=reasons,
                             extra={**extra, "empty_boxes": empty})  # fmt: skip
        return self.decide(readings, polygon, page, label, extra)

    def decide(
        self, readings: list[CharReading], polygon: Any, page: Page, label: str, extra: dict[str, Any]
    ) -> VinResult:
        """A filled row's 17 readings -> the VinResult: the VIN, or none where the score is below ``min_score``."""
        vin = "".join(r.char for r in readings)
        candidate = Candidate(
            vin, tuple(readings), "text", 0.0, polygon, page.page, check_digit_status(vin), reasons=()
        )
        # Where the region requires a check digit and the reading fails it, the runners-up may satisfy it:
        # that reading competes too, marked and with the probabilities the check digit leaves it.
        corrected = check_digit_corrected(candidate)
        candidates = [candidate] if corrected is None else [candidate, corrected]
        decision = decide(candidates, self.config.min_score, penalties=BOX_PENALTIES, supports=CHECK_DIGIT_ODDS)
        best = decision.best
        assert best is not None  # candidates in, one chosen
        return VinResult(
            path=label,
            vin=best.vin if decision.answer else None,
            confidence=best.confidence,
            chars=best.chars,
            check_digit=best.check_digit,
            source="text",
            polygon=polygon,
            page=page.page,
            info=decode(best.vin) if decision.answer else None,
            needs_review=not decision.answer,
            reasons=decision.reasons,
            candidates=decision.candidates,
            extra=extra,
        )
