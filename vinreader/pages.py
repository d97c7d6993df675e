"""Read every page of an input and keep the best result: shared by the photo and the box readers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from vinreader.io import InputError, Page, load_pages
from vinreader.types import VinResult


def read_best_page(
    source: Any, name: str | None, max_side: int, read_page: Callable[[Page, str], VinResult]
) -> VinResult:
    """``read_page`` on each page of ``source`` (a PDF has several); the page with an answer, else the
    one where the VIN's place was found, else the most confident.

    Never raises for bad input: the result's ``error`` names the input and the problem.
    """
    start = time.perf_counter()
    label = name or (str(source) if isinstance(source, str | Path) else f"<{type(source).__name__}>")
    try:
        pages = load_pages(source, max_side=max_side)
    except InputError as exc:
        return VinResult(path=label, error=str(exc), reasons=("input_error",), elapsed_s=time.perf_counter() - start)
    results = [read_page(page, label) for page in pages]
    best = max(results, key=lambda r: (r.vin is not None, r.polygon is not None, r.confidence))
    return replace(best, elapsed_s=time.perf_counter() - start)
