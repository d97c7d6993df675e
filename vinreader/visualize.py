"""Overlay of what the reader found: the VIN's polygon and the text read, for a person to check."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vinreader.io import load_pages
from vinreader.types import VinResult


def draw_result(image: np.ndarray, result: VinResult, scale: float = 1.0) -> np.ndarray:
    """A copy of ``image`` (RGB) with the best candidate's polygon and reading drawn on it.

    ``scale`` maps the result's original-image coordinates onto ``image`` (a shrunk copy).
    """
    canvas = image.copy()
    best = result.candidates[0] if result.candidates else None
    polygon = result.polygon or (best.polygon if best else None)
    answered = result.vin is not None
    color = (0, 200, 0) if answered else (230, 150, 0)
    thickness = max(2, round(max(canvas.shape[:2]) / 400))
    if polygon is not None:
        pts = np.round(np.asarray(polygon) * scale).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [pts], True, color, thickness)
    text = result.vin or (f"not sure: {best.vin}?" if best else "no VIN found")
    text = f"{text}  {result.confidence:.2f}" if best else text
    scale = max(0.6, canvas.shape[1] / 900)
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    cv2.rectangle(canvas, (0, 0), (w + 10, h + base + 10), (0, 0, 0), -1)
    cv2.putText(canvas, text, (5, h + 5), cv2.FONT_HERSHEY_SIMPLEX, scale, color, thickness, cv2.LINE_AA)
    return canvas


def save_overlay(source: str | Path, result: VinResult, out_dir: Path) -> Path | None:
    """Write ``out_dir/<name>.png`` for an input that could be loaded; None for one that could not."""
    if result.error:
        return None
    page = load_pages(source)[result.page]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{Path(str(source)).stem}.png"
    cv2.imwrite(str(out), cv2.cvtColor(draw_result(page.image, result, page.scale), cv2.COLOR_RGB2BGR))
    return out
