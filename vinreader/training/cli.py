"""`vinreader train recognizer ...`: the training commands (need the `train` extra: torch).

Example:
    vinreader train recognizer --train-path data/synth/recognition --train-path data/teacher:3 \\
        --val-path ../shared/data/vin-real-dev/recognition --epochs 30 --output runs/recognizer
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

train_app = typer.Typer(no_args_is_help=True, help="Train vinreader's models on your own labelled data.")


def parse_weighted(path: str) -> tuple[str, float]:
    """``DIR`` or ``DIR:WEIGHT`` (relative sampling weight of that folder, default 1)."""
    head, sep, tail = path.rpartition(":")
    if sep and head:
        try:
            return head, float(tail)
        except ValueError:
            pass
    return path, 1.0


@train_app.command("recognizer")
def train_recognizer(
    train_path: Annotated[
        list[str] | None,
        typer.Option(help="docTR recognition folder (images/ + labels.json), optionally DIR:WEIGHT; repeat."),
    ] = None,
    val_path: Annotated[Path | None, typer.Option(help="Validation folder (docTR recognition format).")] = None,
    arch: Annotated[str, typer.Option(help="Network: crnn_vin or crnn_vin_tiny.")] = "crnn_vin",
    epochs: Annotated[int, typer.Option(min=1)] = 30,
    batch_size: Annotated[int, typer.Option(min=1)] = 64,
    lr: Annotated[float, typer.Option(min=0.0)] = 2e-3,
    samples_per_epoch: Annotated[int | None, typer.Option(help="Default: the training folders' total.")] = None,
    height: Annotated[int, typer.Option()] = 32,
    width: Annotated[int, typer.Option()] = 256,
    no_augment: Annotated[bool, typer.Option("--no-augment", help="Train on the crops as they are.")] = False,
    seed: Annotated[int, typer.Option()] = 0,
    init: Annotated[Path | None, typer.Option(help="Start from this checkpoint's weights (fine-tuning).")] = None,
    resume: Annotated[Path | None, typer.Option(help="Continue this run folder from its last.pt.")] = None,
    output: Annotated[Path, typer.Option(help="Where run folders are created.")] = Path("runs/recognizer"),
    name: Annotated[str | None, typer.Option(help="Run folder name (default: a timestamp).")] = None,
) -> None:
    """Train a CTC recognizer over the VIN alphabet; the run folder holds config, metrics, curves, checkpoints."""
    from vinreader.data.doctr import DatasetError
    from vinreader.training.loop import fit
    from vinreader.training.recognizer import RecognizerConfig, RecognizerRecipe, config_dict
    from vinreader.training.run import RunDir

    if resume is not None:
        run = RunDir(resume)
        saved = run.read_config()
        saved.pop("task", None)
        saved["train_paths"] = tuple(tuple(p) for p in saved["train_paths"])
        saved["epochs"] = epochs  # a resumed run may be extended
        config = RecognizerConfig(**saved)
    else:
        if not train_path or val_path is None:
            raise typer.BadParameter("--train-path and --val-path are needed (unless --resume)")
        try:
            config = RecognizerConfig(
                train_paths=tuple(parse_weighted(p) for p in train_path),
                val_path=str(val_path), arch=arch, height=height, width=width, epochs=epochs,
                batch_size=batch_size, lr=lr, samples_per_epoch=samples_per_epoch, augment=not no_augment,
                seed=seed, init=str(init) if init else None,
            )  # fmt: skip
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        run = RunDir.create(output, name)
        run.write_config(config_dict(config))
    try:
        recipe = RecognizerRecipe(config, log=typer.echo)
    except DatasetError as exc:
        raise typer.BadParameter(str(exc)) from exc
    best = fit(recipe, run, epochs=config.epochs, lr=config.lr, resume=resume is not None, log=typer.echo)
    typer.echo(f"run: {run.path}  best: {best}")
