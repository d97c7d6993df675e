"""`vinreader synth`: write synthetic detection/recognition/e2e datasets, and contact sheets of them.

Examples:
    vinreader synth --out data/synth --n 2000 --workers 2
    vinreader synth --out data/plates --n 500 --kinds windshield_plate,stamped_metal --parts recognition
    vinreader synth preview data/synth --part recognition --kind door_sticker
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from vinreader.synth.scenes import ALL_KINDS, KINDS

PART_NAMES = ("detection", "recognition", "e2e")

synth_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=True,
    add_completion=False,
    help=(
        "Write synthetic VIN training data in docTR formats: DIR/detection, DIR/recognition, DIR/e2e "
        "(images/ + labels.json each) and DIR/manifest.json. The same --seed gives the same files."
    ),
)


def _split(values: list[str] | None, known: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Comma-separated and/or repeated option values, checked against `known` (a usage error if not)."""
    items = [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
    unknown = [item for item in items if item not in known]
    if unknown:
        raise typer.BadParameter(
            f"unknown {', '.join(map(repr, unknown))}; choose from {', '.join(known)}", param_hint=option
        )
    return tuple(dict.fromkeys(items)) or known


@synth_app.callback()
def synth(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (required to generate).")] = None,
    n: Annotated[
        int,
        typer.Option(
            "--n",
            min=1,
            help="Number of SCENES. Each gives one detection photo, one e2e photo (the same, hard-linked) "
            "and --recognition-per-scene recognition crops.",
        ),
    ] = 100,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Scene kinds, comma-separated or repeated, used in turn. Default: {', '.join(KINDS)}; also: form."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Dataset seed: sample i depends only on (seed, i).")] = 0,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes (default: CPU count). The files do not depend on it.")
    ] = os.cpu_count() or 1,
    parts: Annotated[
        list[str] | None,
        typer.Option(help="What to write, comma-separated or repeated. Default: detection,recognition,e2e."),
    ] = None,
    recognition_per_scene: Annotated[
        int,
        typer.Option(min=1, help="Recognition crops cut from each scene."),
    ] = 5,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace non-empty part folders.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Generate a dataset: ``vinreader synth --out DIR --n N`` (see also ``vinreader synth preview``)."""
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise typer.BadParameter("--out DIR is required to generate a dataset", param_hint="--out")
    from vinreader.synth.dataset import generate

    kind_list = _split(kinds, ALL_KINDS, "--kinds") if kinds else KINDS
    part_list = _split(parts, PART_NAMES, "--parts")
    started = time.perf_counter()
    try:
        manifest = generate(
            out,
            n,
            kind_list,
            seed,
            workers,
            part_list,
            recognition_per_scene,
            overwrite=overwrite,
            progress=not quiet,
        )
    except FileExistsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from exc
    counts = ", ".join(f"{count} {part}" for part, count in sorted(manifest["counts"].items()))
    typer.echo(f"{out}: {counts} in {time.perf_counter() - started:.1f} s (seed {seed})")


@synth_app.command("preview")
def preview(
    dataset_dir: Annotated[
        Path, typer.Argument(help="A `vinreader synth` folder, or one images/ + labels.json folder.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="PNG to write (default: DIR/preview_<part>[_<kind>].png)."),
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Samples on the sheet.")] = 24,
    part: Annotated[str, typer.Option(help="detection, recognition or e2e.")] = "detection",
    kind: Annotated[str | None, typer.Option(help=f"Only this kind: {', '.join(ALL_KINDS)}.")] = None,
) -> None:
    """Write a contact sheet: photos with the VIN polygon drawn, or crops beside their labels."""
    from vinreader.data.doctr import DatasetError
    from vinreader.synth.preview import contact_sheet

    if part not in PART_NAMES:
        known = ", ".join(PART_NAMES)
        raise typer.BadParameter(f"unknown part {part!r}; choose from {known}", param_hint="--part")
    if kind is not None and kind not in ALL_KINDS:
        known = ", ".join(ALL_KINDS)
        raise typer.BadParameter(f"unknown kind {kind!r}; choose from {known}", param_hint="--kind")
    if out is None:
        out = dataset_dir / f"preview_{part}{f'_{kind}' if kind else ''}.png"
    try:
        contact_sheet(dataset_dir, out, n=n, part=part, kind=kind)
    except (DatasetError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="DATASET_DIR") from exc
    typer.echo(str(out))
