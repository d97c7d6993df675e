"""Networks by name (timm-style ``@register_net``), so checkpoints can rebuild what they hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_NETS: dict[str, Callable[..., Any]] = {}


def register_net(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: make ``factory(**kwargs)`` buildable as ``build_net(name, **kwargs)``."""

    def wrap(factory: Callable[..., Any]) -> Callable[..., Any]:
        _NETS[name] = factory
        return factory

    return wrap


def build_net(name: str, **kwargs: Any) -> Any:
    """A network from its registered name; unknown names list the known ones."""
    from vinreader.nets import charbox, crnn, dbnet  # noqa: F401  (registers their architectures)

    if name not in _NETS:
        raise ValueError(f"unknown architecture {name!r}; known: {sorted(_NETS)}")
    return _NETS[name](**kwargs)


def net_names() -> list[str]:
    from vinreader.nets import charbox, crnn, dbnet  # noqa: F401

    return sorted(_NETS)
