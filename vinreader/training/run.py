"""A training run's folder: resolved config, metrics per epoch, curves, self-describing checkpoints.

runs/recognizer/20261122-0412/
  config.json      # everything needed to rerun it
  metrics.csv      # one row per epoch
  curves.png       # loss and validation metrics
  last.pt, best.pt # {"model": state_dict, "meta": {arch, alphabet, input, normalization, ...}, ...}
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from vinreader import __version__


@dataclass
class RunDir:
    """Write-side of a run folder."""

    path: Path

    @classmethod
    def create(cls, output: Path, name: str | None = None) -> RunDir:
        path = output / (name or time.strftime("%Y%m%d-%H%M%S"))
        path.mkdir(parents=True, exist_ok=True)
        return cls(path)

    def write_config(self, config: dict[str, Any]) -> None:
        (self.path / "config.json").write_text(json.dumps(config, indent=2, default=str) + "\n")

    def read_config(self) -> dict[str, Any]:
        return json.loads((self.path / "config.json").read_text())

    def log_metrics(self, row: dict[str, float]) -> None:
        """Append one epoch's metrics to metrics.csv and redraw curves.png."""
        file = self.path / "metrics.csv"
        exists = file.exists()
        with file.open("a", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            if not exists:
                writer.writeheader()
            writer.writerow(row)
        self.plot()

    def metrics(self) -> list[dict[str, float]]:
        file = self.path / "metrics.csv"
        if not file.exists():
            return []
        with file.open() as handle:
            return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(handle)]

    def plot(self) -> None:
        """Loss curves on the left, validation metrics on the right (matplotlib, no display)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = self.metrics()
        if not rows:
            return
        epochs = [r["epoch"] for r in rows]
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        for key in [k for k in rows[0] if k.endswith("loss")]:
            left.plot(epochs, [r[key] for r in rows], marker="o", label=key)
        left.set_xlabel("epoch")
        left.set_title("loss")
        left.legend()
        for key in [k for k in rows[0] if k.startswith("val_") and not k.endswith("loss")]:
            right.plot(epochs, [r[key] for r in rows], marker="o", label=key)
        right.set_xlabel("epoch")
        right.set_title("validation")
        right.legend()
        fig.tight_layout()
        fig.savefig(self.path / "curves.png", dpi=80)
        plt.close(fig)

    def save_checkpoint(self, name: str, state: dict[str, Any]) -> Path:
        """Write atomically, so an interrupted run never leaves a half-written checkpoint."""
        target = self.path / name
        tmp = target.with_suffix(".tmp")
        torch.save({**state, "vinreader_version": __version__}, tmp)
        tmp.replace(target)
        return target


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """A checkpoint written by RunDir (a run folder means its best.pt)."""
    path = Path(path)
    if path.is_dir():
        path = path / "best.pt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no checkpoint there")
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    if "meta" not in checkpoint or "model" not in checkpoint:
        raise ValueError(f"{path}: not a vinreader checkpoint (no 'meta'/'model')")
    return checkpoint
