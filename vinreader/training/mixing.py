"""Several training folders mixed by weight (``--train-path DIR:WEIGHT``), shared by the recipes."""

from __future__ import annotations

import numpy as np


def check_train_paths(train_paths: tuple[tuple[str, float], ...]) -> None:
    """At least one folder, every weight positive; a ValueError names the bad one."""
    if not train_paths:
        raise ValueError("at least one --train-path is needed")
    for path, weight in train_paths:
        if weight <= 0:
            raise ValueError(f"--train-path {path}: weight must be > 0, got {weight}")


def sample_indices(rng: np.random.Generator, sizes: list[int], weights: list[float], n: int) -> list[tuple[int, int]]:
    """``n`` (dataset, item) pairs: datasets drawn by weight whatever their size, items uniformly within."""
    p = np.asarray(weights, float)
    choice = rng.choice(len(sizes), size=n, p=p / p.sum())
    return [(int(d), int(rng.integers(sizes[d]))) for d in choice]
