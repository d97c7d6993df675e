"""docTR dataset formats, validated when loaded so a bad dataset fails with a clear message.

* recognition (and whole-photo VIN labels): ``labels.json`` = ``{file: "TEXT"}``;
* detection: ``labels.json`` = ``{file: {"img_dimensions": [H, W], "img_hash": sha256,
  "polygons": [[[x, y] x 4], ...]}}``.
Both with the images in ``images/`` beside ``labels.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class DatasetError(ValueError):
    """A dataset folder that does not follow the format; the message names the file."""


def _read_labels(root: Path) -> dict[str, Any]:
    labels_path = root / "labels.json"
    if not (root / "images").is_dir():
        raise DatasetError(f"{root}: no images/ folder (expected images/ + labels.json)")
    if not labels_path.is_file():
        raise DatasetError(f"{labels_path}: missing (expected images/ + labels.json)")
    try:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{labels_path}: not valid JSON ({exc})") from exc
    if not isinstance(labels, dict) or not labels:
        raise DatasetError(f"{labels_path}: expected a non-empty object mapping file names to labels")
    return labels


def load_text_labels(root: str | Path, check_files: bool = True) -> dict[str, str]:
    """``{file: text}`` of a recognition-format dataset (also used for whole-photo VIN labels)."""
    root = Path(root)
    labels = _read_labels(root)
    for name, text in labels.items():
        if not isinstance(text, str):
            raise DatasetError(f"{root / 'labels.json'}: label of {name!r} is not a string")
        if check_files and not (root / "images" / name).is_file():
            raise DatasetError(f"{root / 'images' / name}: listed in labels.json but missing")
    return labels


def load_detection_labels(root: str | Path, check_files: bool = True) -> dict[str, dict[str, Any]]:
    """``{file: {"img_dimensions", "img_hash", "polygons"}}`` of a detection-format dataset."""
    root = Path(root)
    labels = _read_labels(root)
    for name, entry in labels.items():
        where = f"{root / 'labels.json'}: entry {name!r}"
        if not isinstance(entry, dict) or "polygons" not in entry or "img_dimensions" not in entry:
            raise DatasetError(f"{where} needs 'img_dimensions' and 'polygons'")
        for polygon in entry["polygons"]:
            if len(polygon) < 4 or any(len(point) != 2 for point in polygon):
                raise DatasetError(f"{where} has a polygon that is not a list of >= 4 [x, y] points")
        if check_files and not (root / "images" / name).is_file():
            raise DatasetError(f"{root / 'images' / name}: listed in labels.json but missing")
    return labels
