"""One training loop shared by every model; each model brings a small recipe.

A recipe owns the model, its data and its metrics; the loop owns optimisation, logging, checkpoints
and resuming. Checkpoints hold the recipe's ``meta`` (architecture, alphabet, input size,
normalization), so ``load_checkpoint(path)`` alone rebuilds the predictor.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

from vinreader.training.run import RunDir


class Recipe(Protocol):
    """What a model contributes to training."""

    model: nn.Module
    meta: dict[str, Any]
    monitor: str  # the validation metric to maximise when choosing best.pt
    steps_per_epoch: int

    def train_batches(self, epoch: int) -> Iterable[Any]: ...

    def loss(self, batch: Any) -> torch.Tensor: ...

    def validate(self) -> dict[str, float]: ...


def ema_update(decay: float):
    """The update of a weights' moving average whose decay grows with the steps averaged, n:
    ``min(decay, (1 + n) / (10 + n))``. A fixed 0.999 spans ~1,000 steps, so a network trained from scratch
    would be validated, for its first epochs, as the average of weights it has long left; warmed up, the
    average follows it early and settles at ``decay`` after ~10,000 steps. Integer buffers (batch-norm
    step counts) take the current value.
    """

    @torch.no_grad()
    def update(averaged: list[torch.Tensor], current: list[torch.Tensor], num_averaged: torch.Tensor) -> None:
        n = float(num_averaged)
        rate = min(decay, (1 + n) / (10 + n))
        if torch.is_floating_point(averaged[0]):
            torch._foreach_lerp_(averaged, current, 1 - rate)
        else:
            for a, c in zip(averaged, current, strict=True):
                a.copy_(c)

    return update


def fit(
    recipe: Recipe,
    run: RunDir,
    epochs: int,
    lr: float,
    weight_decay: float = 1e-4,
    resume: bool = False,
    log: Any = print,
    ema: float = 0.0,
    tensorboard: bool = False,
) -> dict[str, float]:
    """Train ``recipe.model`` for ``epochs`` (continuing from ``last.pt`` when ``resume``).

    With ``ema`` > 0 an exponential moving average of the weights (decay ``ema`` per step, warmed up:
    see :func:`ema_update`; batch-norm statistics included) is what is validated and saved as the
    checkpoint's ``model``: on small real sets it is steadier from epoch to epoch than the raw weights.
    With ``tensorboard`` the training loss per step and every epoch's metrics also go to
    ``RUN/tensorboard/`` (``tensorboard --logdir RUN``).
    Returns the best validation metrics seen.
    """
    model = recipe.model
    averaged = AveragedModel(model, multi_avg_fn=ema_update(ema), use_buffers=True) if ema else None
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=max(1, epochs * recipe.steps_per_epoch), pct_start=0.15
    )
    start_epoch, best = 0, {recipe.monitor: -math.inf}
    if resume:
        state = torch.load(run.path / "last.pt", map_location="cpu", weights_only=False)
        model.load_state_dict(state.get("train_model", state["model"]))
        if averaged is not None:
            averaged.load_state_dict(state["ema"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        start_epoch, best = state["epoch"], state["best"]
        log(f"resumed {run.path} at epoch {start_epoch}")
    writer = _tensorboard_writer(run) if tensorboard else None
    for epoch in range(start_epoch + 1, epochs + 1):
        started = time.perf_counter()
        model.train()
        losses = []
        for batch in recipe.train_batches(epoch):
            loss = recipe.loss(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            if scheduler.last_epoch < scheduler.total_steps:
                scheduler.step()
            if averaged is not None:
                averaged.update_parameters(model)
            losses.append(float(loss.detach()))
            if writer is not None:
                writer.add_scalar("train/loss_step", losses[-1], (epoch - 1) * recipe.steps_per_epoch + len(losses))
        model.eval()
        train_weights = {k: v.clone() for k, v in model.state_dict().items()} if averaged else None
        if averaged is not None:
            model.load_state_dict(averaged.module.state_dict())  # validate and save the average
        with torch.no_grad():
            metrics = recipe.validate()
        row = {
            "epoch": epoch,
            "train_loss": float(np.mean(losses)) if losses else float("nan"),
            **metrics,
            "lr": optimizer.param_groups[0]["lr"],
            "seconds": time.perf_counter() - started,
        }
        run.log_metrics(row)
        if writer is not None:
            for key, value in row.items():
                if key != "epoch":
                    writer.add_scalar(key.replace("_", "/", 1), value, epoch)
            writer.flush()
        improved = metrics[recipe.monitor] > best[recipe.monitor]
        if improved:
            best = dict(metrics)
        state = {
            "model": model.state_dict(),
            "meta": recipe.meta,
            "epoch": epoch,
            "metrics": metrics,
            "best": best,
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
        }
        if averaged is not None:
            state.update(train_model=train_weights, ema=averaged.state_dict())
        run.save_checkpoint("last.pt", state)
        if improved:
            run.save_checkpoint("best.pt", {k: state[k] for k in ("model", "meta", "epoch", "metrics")})
        if train_weights is not None:
            model.load_state_dict(train_weights)  # back to the raw weights to go on training
        shown = " ".join(f"{k}={v:.4f}" for k, v in row.items() if k != "epoch")
        log(f"epoch {epoch}/{epochs} {shown}{' *' if improved else ''}")
    if writer is not None:
        writer.close()
    return best


def _tensorboard_writer(run: RunDir) -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:  # tensorboard is in the train extra, but may be missing from a custom install
        raise RuntimeError("--tensorboard needs the tensorboard package: pip install 'vinreader[train]'") from exc
    return SummaryWriter(log_dir=str(run.path / "tensorboard"))
