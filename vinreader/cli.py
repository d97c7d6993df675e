"""The `vinreader` command: read VINs from files, evaluate the reader on labelled photos.

Exit codes: 0 when every input was read (an honest "not sure" counts as read), 1 when some input
could not be read (its row carries the error), 2 on usage errors.
"""

from __future__ import annotations

import csv
import glob
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from vinreader.io import IMAGE_EXTENSIONS
from vinreader.pipeline import ReaderConfig, VinReader
from vinreader.synth.cli import synth_app
from vinreader.training.cli import train_app
from vinreader.types import VinResult

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Read Vehicle Identification Numbers.")
stderr = Console(stderr=True)
app.add_typer(train_app, name="train")
app.add_typer(synth_app, name="synth")

CSV_FIELDS = [
    "path",
    "page",
    "vin",
    "confidence",
    "check_digit",
    "source",
    "needs_review",
    "reasons",
    "error",
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


ReaderOptions = Annotated[
    list[str] | None,
    typer.Option("--reader-option", "-o", help="Reader setting KEY=VALUE (e.g. min_score=0.7); repeatable."),
]


def build_reader(options: list[str] | None) -> VinReader:
    """A reader from ``KEY=VALUE`` strings; a bad option is a usage error (exit 2)."""
    pairs = {}
    for option in options or []:
        key, sep, value = option.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected KEY=VALUE, got {option!r}", param_hint="--reader-option")
        pairs[key.strip()] = value.strip()
    try:
        return VinReader(ReaderConfig.from_options(pairs))
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--reader-option") from exc


def expand_inputs(items: list[str]) -> Iterator[str]:
    """Files as given, folders recursively (image and PDF files), glob patterns; '-' is stdin.

    A path that does not exist is passed on as is, so its row reports the error.
    """
    for item in items:
        path = Path(item)
        if item == "-":
            yield item
        elif path.is_dir():
            yield from (str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        elif not path.exists() and glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            yield from (matches if matches else [item])
        else:
            yield item


def _read_all(reader: VinReader, inputs: list[str], visualize: Path | None) -> Iterator[VinResult]:
    for item in inputs:
        if item == "-":
            result = reader.read(sys.stdin.buffer.read(), name="<stdin>")
        else:
            result = reader.read(item)
        if visualize is not None and item != "-":
            from vinreader.visualize import save_overlay

            save_overlay(item, result, visualize)
        yield result


def _row(result: VinResult) -> dict[str, Any]:
    d = result.to_dict()
    return {k: (";".join(d[k]) if k == "reasons" else d[k]) for k in CSV_FIELDS}  # flat fields for CSV/table


@app.command()
def read(
    paths: Annotated[list[str], typer.Argument(help="Images, PDFs, folders, glob patterns, or - for stdin.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    visualize: Annotated[
        Path | None, typer.Option("--visualize", help="Write PNG overlays of the box and VIN to this folder.")
    ] = None,
    reader_option: ReaderOptions = None,
) -> None:
    """Read the VIN of each input; one bad file never stops the batch."""
    inputs = list(expand_inputs(paths))
    if not inputs:
        raise typer.BadParameter("no input files found", param_hint="PATHS")
    reader = build_reader(reader_option)
    results: list[VinResult] = []
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS) if output_format is OutputFormat.csv else None
    if writer:
        writer.writeheader()
    with _progress(len(inputs)) as progress:
        task = progress.add_task("reading", total=len(inputs))
        for result in _read_all(reader, inputs, visualize):
            results.append(result)
            # Stream line formats so that nothing is lost if the batch is interrupted.
            if output_format is OutputFormat.jsonl:
                print(json.dumps(result.to_dict()), flush=True)
            elif writer:
                writer.writerow(_row(result))
                sys.stdout.flush()
            progress.advance(task)
    if output_format is OutputFormat.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    elif output_format is OutputFormat.table:
        _print_table(results)
    failed = [r for r in results if r.error]
    for r in failed:
        stderr.print(f"[red]error[/red] {r.error}", highlight=False)
    raise typer.Exit(1 if failed else 0)


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=total < 2,
    )


def _print_table(results: list[VinResult]) -> None:
    table = Table("path")
    table.add_column("vin", no_wrap=True, min_width=17)
    for column in ("confidence", "check digit", "source", "notes"):
        table.add_column(column)
    for r in results:
        best = r.candidates[0].vin if r.candidates else None
        vin = r.vin or ("[yellow]not sure[/yellow]" + (f" ({best}?)" if best else "") if not r.error else "")
        notes = r.error or ", ".join(r.reasons)
        table.add_row(r.path, vin, f"{r.confidence:.3f}", r.check_digit or "", r.source or "", notes)
    # Never truncate a VIN, even when stdout is not a terminal (rich then assumes 80 columns).
    Console(width=None if sys.stdout.isatty() else 160).print(table)


class Task(StrEnum):
    e2e = "e2e"
    recognition = "recognition"


@app.command()
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="Folder with images/ and labels.json (file -> VIN).")],
    task: Annotated[
        Task, typer.Option(help="e2e: whole photos through the reader; recognition: line crops.")
    ] = Task.e2e,
    recognizer: Annotated[str | None, typer.Option(help="--task recognition: model name or card.")] = None,
    out: Annotated[Path, typer.Option(help="Where report.json (and per_image.csv) go.")] = Path("runs/evaluate"),
    reader_option: ReaderOptions = None,
) -> None:
    """Exact match, false answers, abstentions, character accuracy and latency on labelled data."""
    from vinreader.data.doctr import DatasetError

    try:
        if task is Task.recognition:
            _evaluate_recognition(dataset, recognizer or ReaderConfig().recognizer, out)
        else:
            _evaluate_e2e(dataset, build_reader(reader_option), out)
    except DatasetError as exc:
        raise typer.BadParameter(str(exc), param_hint="DATASET") from exc


def _evaluate_recognition(dataset: Path, recognizer: str, out: Path) -> None:
    from vinreader.evaluation.recognition import evaluate_recognizer

    report = evaluate_recognizer(recognizer, dataset)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "errors"}))
    for error in report["errors"]:
        stderr.print(f"{error['file']}: {error['label']} read as {error['read'] or '-'}", highlight=False)


def _evaluate_e2e(dataset: Path, reader: VinReader, out: Path) -> None:
    from vinreader.evaluation.evaluate import evaluate_dataset

    with _progress(2) as progress:
        task = progress.add_task("evaluating", total=None)
        summary, _ = evaluate_dataset(
            reader, dataset, out, lambda done, total: progress.update(task, completed=done, total=total)
        )
    table = Table("metric", "value", title=f"{dataset} ({summary.images} images)")
    for key, value in summary.to_dict().items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    print(json.dumps({"dataset": str(dataset), **summary.to_dict()}))
    stderr.print(f"report: {out / 'report.json'}, per image: {out / 'per_image.csv'}")


@app.command()
def export(
    checkpoint: Annotated[Path, typer.Option(help="A training checkpoint (.pt) or run folder (its best.pt).")],
    out: Annotated[Path, typer.Option(help="The ONNX file to write; its model card goes beside it (.json).")],
) -> None:
    """Export a checkpoint to ONNX, check it against PyTorch, and write its model card."""
    from vinreader.export import export as export_onnx

    try:
        report = export_onnx(checkpoint, out)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--checkpoint") from exc
    print(json.dumps(report))
    stderr.print(f"parity: max |onnx - torch| = {report['max_abs_diff']:.2e}; card: {out.with_suffix('.json')}")


@app.command("teacher-label")
def teacher_label(
    dataset: Annotated[Path, typer.Argument(help="docTR detection folder with boxes around VINs.")],
    out: Annotated[Path, typer.Option(help="Recognition dataset to write (images/ + labels.json).")],
    min_confidence: Annotated[float, typer.Option(help="Weakest character's probability to keep a crop.")] = 0.9,
    recognizer: Annotated[str, typer.Option(help="Teacher model name or card.")] = "ppocr_v6_rec",
    agree_with: Annotated[
        str | None, typer.Option(help="Second recognizer: also keep unsure readings it reads identically.")
    ] = None,
    agree_min_confidence: Annotated[float, typer.Option(help="Lowest teacher confidence for a second opinion.")] = 0.5,
) -> None:
    """Cut the labelled VIN boxes and keep those the teacher reads clearly and that obey the VIN rules."""
    from collections import Counter

    from vinreader.data.doctr import DatasetError
    from vinreader.data.teacher import teacher_label as run_teacher

    try:
        with _progress(2) as progress:
            task = progress.add_task("labelling", total=None)
            verdicts = run_teacher(
                dataset,
                out,
                recognizer,
                min_confidence,
                progress=lambda d, t: progress.update(task, completed=d, total=t),
                agree_with=agree_with,
                agree_min_confidence=agree_min_confidence,
            )
    except DatasetError as exc:
        raise typer.BadParameter(str(exc), param_hint="DATASET") from exc
    kept = sum(v.vin is not None for v in verdicts)
    agreed = sum(v.reason == "kept_agreed" for v in verdicts)
    reasons = Counter(v.reason.split(":")[0] for v in verdicts if v.vin is None)
    print(
        json.dumps(
            {"boxes": len(verdicts), "kept": kept, "kept_agreed": agreed, "left_out": dict(reasons.most_common())}
        )
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point (``argv`` for tests; defaults to sys.argv)."""
    app(args=argv, prog_name="vinreader")


if __name__ == "__main__":
    main()
