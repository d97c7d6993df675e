"""VinReader: load -> barcode + detect -> crop -> recognize -> choose.

Example:
    >>> from vinreader import VinReader
    >>> reader = VinReader()
    >>> result = reader.read("door_sticker.jpg")
    >>> result.vin, result.confidence, result.check_digit
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from vinreader.barcode import barcode_candidates
from vinreader.choose import Decision, decide, score_candidate
from vinreader.ctc import DecodedVin
from vinreader.io import Page
from vinreader.lines import Line, candidate_lines, crop_line, sub_quad
from vinreader.models.registry import build_detector, build_recognizer
from vinreader.pages import read_best_page
from vinreader.types import Candidate, CharReading, VinResult
from vinreader.vin import check_digit_status, decode

# Lines recognized before the first decision; the rest only when those gave no clear answer.
FIRST_LINES = 3


@dataclass(frozen=True)
class ReaderConfig:
    """Everything that changes what the reader answers. Validated when built.

    Attributes:
        detector, recognizer: model names (see ``vinreader.models.registry``) or model card paths.
        fallback_detector: read the photo again with this detector when ``detector`` gave no answer
            (a VIN-only detector that found nothing confident); "" for none.
        fallback_recognizer: a line crop whose best reading by ``recognizer`` scores below
            ``recognizer_accept`` is read again by this one, and only its readings of that crop count;
            "" for none (every reading of ``recognizer`` counts). By default our fast ``vin_crnn``
            reads first and the general ``ppocr_v6_rec`` the crops it is unsure of: ``vin_crnn``'s
            probabilities are over-confident for ``min_score`` (see its model card).
        recognizer_accept: see ``fallback_recognizer`` (chosen on photos other than the dev set).
        min_score: answer only when the best candidate's score reaches this (chosen on validation
            data to keep false answers rare; see README).
        max_lines: how many line crops to recognize per orientation, best-shaped first.
        barcodes: also read Code 39 / Code 128 / Data Matrix / QR / PDF417.
        rotations: when nothing confident is found, also try the crops upside down and the image
            turned by 90 and 270 degrees.
        max_side: images are loaded with their longest side at most this (JPEG draft decoding): a
            VIN in a phone photo stays legible at 2048 px, and decoding and barcode search get faster.
        threads: onnxruntime threads per model (0: all cores).
    """

    detector: str = "vin_dbnet"
    recognizer: str = "vin_crnn"
    fallback_detector: str = "ppocr_v6_det"
    fallback_recognizer: str = "ppocr_v6_rec"
    recognizer_accept: float = 0.95
    min_score: float = 0.65
    max_lines: int = 8
    barcodes: bool = True
    rotations: bool = True
    max_side: int = 2048
    threads: int = 0

    def __post_init__(self) -> None:
        for name in ("min_score", "recognizer_accept"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.max_lines < 1:
            raise ValueError(f"max_lines must be >= 1, got {self.max_lines}")
        if self.max_side < 256:
            raise ValueError(f"max_side must be >= 256, got {self.max_side}")

    @classmethod
    def from_strings(cls, options: Iterable[str]) -> ReaderConfig:
        """Build from ``KEY=VALUE`` strings (``vinreader read -o``, the benchmarks' ``-o``); a string
        without ``=`` is a ValueError naming it."""
        pairs = {}
        for option in options:
            key, sep, value = option.partition("=")
            if not sep:
                raise ValueError(f"expected KEY=VALUE, got {option!r}")
            pairs[key.strip()] = value.strip()
        return cls.from_options(pairs)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ReaderConfig:
        """Build from string options (CLI ``--reader-option key=value``), converting types."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in options.items():
            key = key.replace("-", "_")
            if key not in known:
                raise ValueError(f"unknown reader option {key!r}; known: {sorted(known)}")
            kind = type(getattr(cls(), key))
            if kind is bool and isinstance(raw, str):
                values[key] = raw.lower() in ("1", "true", "yes", "on")
            else:
                values[key] = kind(raw)
        return cls(**values)


class VinReader:
    """Reads VINs from images; models are loaded once, at construction.

    Args:
        config: a ReaderConfig; keyword options override its fields (``VinReader(min_score=0.6)``).
    """

    def __init__(self, config: ReaderConfig | None = None, **options: Any) -> None:
        self.config = replace(config or ReaderConfig(), **options)
        self.detector = build_detector(self.config.detector, threads=self.config.threads)
        fallback = self.config.fallback_detector
        self.fallback_detector = (
            build_detector(fallback, threads=self.config.threads)
            if fallback and fallback != self.config.detector
            else None
        )
        self.fallbacks = 0  # pages read again with the fallback detector (reported by `evaluate`)
        self.recognizer = build_recognizer(self.config.recognizer, threads=self.config.threads)
        fallback = self.config.fallback_recognizer
        self.fallback_recognizer = (
            build_recognizer(fallback, threads=self.config.threads)
            if fallback and fallback != self.config.recognizer
            else None
        )
        self.reread_crops = 0  # line crops read again by the fallback recognizer (reported by `evaluate`)

    # -- public API ---------------------------------------------------------------------------
    def read(self, source: Any, name: str | None = None) -> VinResult:
        """Read one input (path, bytes, array, PIL image); for a PDF, the best of its pages.

        Never raises for bad input: the result's ``error`` names the input and the problem.
        """
        return read_best_page(source, name, self.config.max_side, self._read_page)

    def read_batch(self, sources: Iterable[Any]) -> Iterator[VinResult]:
        """Read many inputs lazily, one result per input, in order; one bad input never stops it."""
        for source in sources:
            yield self.read(source)

    # -- stages -------------------------------------------------------------------------------
    def _read_page(self, page: Page, label: str) -> VinResult:
        barcodes: list[Candidate] = []
        if self.config.barcodes:
            barcodes = [_scale_candidate(c, page) for c in barcode_candidates(page.image, page.page)]
        detectors = [self.detector] + ([self.fallback_detector] if self.fallback_detector else [])
        pooled = list(barcodes)
        for attempt, detector in enumerate(detectors):
            if attempt:
                self.fallbacks += 1
            # Each detector's reading stands on its own (with the barcodes): the fallback reads the page
            # afresh, so a rough crop's misreading from the first detector cannot veto its answer.
            candidates = list(barcodes)
            decision = self._detect_and_read(detector, page, candidates)
            if decision.answer:
                return self._result(decision, page, label)
            pooled += candidates[len(barcodes) :]
        # No detector answered: every candidate seen is listed for review.
        return self._result(decide(pooled, self.config.min_score), page, label)

    def _detect_and_read(self, detector: Any, page: Page, candidates: list[Candidate]) -> Decision:
        """Detect and recognize lines, upright first, adding to ``candidates`` until the answer is clear."""
        passes = [(0, False)]
        if self.config.rotations:
            # Upside down reuses the upright detection; 90/270 need their own (detectors read rows).
            passes += [(0, True), (1, False), (3, False)]
        detected: dict[int, tuple[np.ndarray, list[Line]]] = {}
        decision = decide(candidates, self.config.min_score)
        # Readings of the first recognizer count from this score on (all of them without a fallback one).
        accept = self.config.recognizer_accept if self.fallback_recognizer is not None else 0.0
        for turns, flip in passes:
            if turns not in detected:
                image = np.rot90(page.image, k=-turns) if turns else page.image
                detected[turns] = image, candidate_lines(detector.detect(image), self.config.max_lines)
            image, lines = detected[turns]
            # Read the most promising lines first and stop once the answer is clear; the crops the
            # first recognizer is unsure of are read by the fallback recognizer only when still unclear.
            for chunk in (lines[:FIRST_LINES], lines[FIRST_LINES:]):
                if not chunk:
                    continue
                sure, unsure = self._read_lines(page, image, chunk, turns, flip, self.recognizer, accept)
                candidates += sure
                decision = decide(candidates, self.config.min_score)
                if decision.answer:
                    return decision
                if unsure and self.fallback_recognizer is not None:
                    self.reread_crops += len(unsure)
                    candidates += self._read_lines(page, image, unsure, turns, flip, self.fallback_recognizer, 0.0)[0]
                    decision = decide(candidates, self.config.min_score)
                    if decision.answer:
                        return decision
        return decision

    def _read_lines(
        self,
        page: Page,
        image: np.ndarray,
        lines: list[Line],
        turns: int,
        flip: bool,
        recognizer: Any,
        accept: float,
    ) -> tuple[list[Candidate], list[Line]]:
        """Recognize ``lines`` of ``image`` (the page turned by ``turns`` x 90 degrees) with ``recognizer``.

        Returns the candidates of the lines whose best reading scores at least ``accept`` (0: every
        line), and the other lines.
        """
        crops = [crop_line(image, ln.quad) for ln in lines]
        if flip:
            crops = [np.rot90(c, 2) for c in crops]
        sure: list[Candidate] = []
        unsure: list[Line] = []
        for line, readings in zip(lines, recognizer.read(crops), strict=True):
            read = []
            for decoded in readings:
                quad = _decoded_quad(line, decoded, flip)
                quad = _unturn(quad, turns, page.image.shape) / page.scale
                read.append(text_candidate(decoded, quad, page.page, turned=bool(turns or flip)))
            if accept and max((score_candidate(c).score for c in read), default=0.0) < accept:
                unsure.append(line)
            else:
                sure += read
        return sure, unsure

    def _result(self, decision: Decision, page: Page, label: str) -> VinResult:
        best = decision.best
        if best is None:
            return VinResult(path=label, page=page.page, reasons=decision.reasons)
        return VinResult(
            path=label,
            vin=best.vin if decision.answer else None,
            confidence=best.confidence,
            chars=best.chars,
            check_digit=best.check_digit,
            source=best.source,
            polygon=best.polygon,
            page=page.page,
            info=decode(best.vin) if decision.answer else None,
            needs_review=not decision.answer or bool(decision.reasons),
            reasons=decision.reasons,
            candidates=decision.candidates[:5],
        )


def text_candidate(decoded: DecodedVin, quad: np.ndarray, page: int, turned: bool) -> Candidate:
    """A scored-later candidate from one decoded reading and where it was read."""
    chars = tuple(
        CharReading(ch, p, alts)
        for ch, p, alts in zip(decoded.vin, decoded.char_probs, decoded.alternatives, strict=True)
    )
    reasons = []
    if decoded.length_forced:
        reasons.append("length_forced")
    if decoded.window_of_longer and not decoded.after_keyword:
        reasons.append("window_of_longer_text")
    if decoded.after_keyword:
        reasons.append("vin_keyword")
    if turned:
        reasons.append("rotated")
    return Candidate(
        vin=decoded.vin,
        chars=chars,
        source="text",
        score=0.0,
        polygon=tuple((float(x), float(y)) for x, y in quad),
        page=page,
        check_digit=check_digit_status(decoded.vin),
        reasons=tuple(reasons),
    )


def _decoded_quad(line: Line, decoded: DecodedVin, flipped: bool) -> np.ndarray:
    """The part of the line the VIN was read from (timesteps map linearly onto the crop)."""
    steps = max(1, decoded.steps)
    start = max(0.0, (decoded.spans[0][0] - 0.5) / steps)
    end = min(1.0, (decoded.spans[-1][1] + 1.5) / steps)
    if flipped:
        start, end = 1.0 - end, 1.0 - start
    return sub_quad(line.quad, start, end)


def _unturn(quad: np.ndarray, turns: int, shape: tuple[int, ...]) -> np.ndarray:
    """Map points from the image turned clockwise by ``turns`` x 90 degrees back to the original."""
    pts = quad.astype(np.float32).copy()
    # A clockwise turn of an image of height h maps (x, y) to (h - 1 - y, x); undo the last turn first.
    for i in reversed(range(turns % 4)):
        height = shape[0] if i % 2 == 0 else shape[1]
        x, y = pts[:, 0].copy(), pts[:, 1].copy()
        pts[:, 0], pts[:, 1] = y, height - 1 - x
    return pts


def _scale_candidate(candidate: Candidate, page: Page) -> Candidate:
    if candidate.polygon is None or page.scale == 1.0:
        return candidate
    return replace(candidate, polygon=tuple((x / page.scale, y / page.scale) for x, y in candidate.polygon))
