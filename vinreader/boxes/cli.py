"""`vinreader boxes`: VINs written one character per box (read whole forms, or classify cut boxes)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from vinreader.output import OutputFormat, expand_inputs, read_all, report, stderr

boxes_app = typer.Typer(no_args_is_help=True, help="VINs written one character per box in a row of 17 boxes.")

BoxClassifier = Annotated[
    str | None, typer.Option(help="Character classifier: model name or card path (default: vin_charbox_mean).")
]


def _reader(**chosen: Any) -> Any:
    """A BoxReader with the options the user gave (None: the reader's default)."""
    from vinreader.boxes.reader import BoxReader, BoxReaderConfig

    return BoxReader(BoxReaderConfig(**{key: value for key, value in chosen.items() if value is not None}))


@boxes_app.command("read")
def boxes_read(
    paths: Annotated[list[str], typer.Argument(help="Scanned or photographed forms, folders, globs, or - for stdin.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    visualize: Annotated[
        Path | None, typer.Option("--visualize", help="Write PNG overlays of the row of boxes and the VIN here.")
    ] = None,
    classifier: BoxClassifier = None,
    min_score: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Score needed to answer (default: the reader's, 0.8).")
    ] = None,
    views: Annotated[
        int | None, typer.Option(min=1, max=5, help="Cuts of each box averaged (default 5; 1: faster).")
    ] = None,
) -> None:
    """Find the row of 17 boxes on each form and read the character in each box."""
    inputs = list(expand_inputs(paths))
    if not inputs:
        raise typer.BadParameter("no input files found", param_hint="PATHS")
    try:
        reader = _reader(classifier=classifier, min_score=min_score, views=views)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--classifier") from exc
    report(read_all(reader, inputs, visualize), len(inputs), output_format)


@boxes_app.command("classify")
def boxes_classify(
    folder: Annotated[Path, typer.Argument(help="Folder of cut-out boxes, one character each (any polarity).")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    classifier: BoxClassifier = None,
) -> None:
    """Classify each already-cut box image: path and character, with confidence and runners-up."""
    from vinreader.io import InputError, load_image

    if not folder.is_dir():
        raise typer.BadParameter(f"{folder}: not a folder", param_hint="FOLDER")
    paths = list(expand_inputs([str(folder)]))
    if not paths:
        raise typer.BadParameter(f"{folder}: no image files", param_hint="FOLDER")
    try:
        reader = _reader(classifier=classifier)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--classifier") from exc
    rows = []
    for path in paths:
        row: dict[str, Any] = {"path": path, "char": None, "confidence": 0.0, "alternatives": [], "error": None}
        try:
            (reading,) = reader.classify([load_image(path)])
        except InputError as exc:
            row["error"] = str(exc)
        else:
            if reading is not None:
                row.update(reading.to_dict())
        rows.append(row)
    print_chars(rows, output_format)
    for row in rows:
        if row["error"]:
            stderr.print(f"[red]error[/red] {row['error']}", highlight=False)
    raise typer.Exit(1 if any(row["error"] for row in rows) else 0)


def print_chars(rows: list[dict[str, Any]], output_format: OutputFormat) -> None:
    """Classified boxes as a table, JSON, JSON lines or CSV (an empty box has no char)."""
    if output_format is OutputFormat.json:
        print(json.dumps(rows, indent=2))
    elif output_format is OutputFormat.jsonl:
        for row in rows:
            print(json.dumps(row))
    elif output_format is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=["path", "char", "confidence", "alternatives", "error"])
        writer.writeheader()
        for row in rows:
            flat = " ".join(f"{c}:{p}" for c, p in row["alternatives"])
            writer.writerow({**row, "alternatives": flat, "error": row["error"] or ""})
    else:
        table = Table("path", "char", "confidence", "alternatives")
        for row in rows:
            alternatives = " ".join(f"{c} {p:.2f}" for c, p in row["alternatives"])
            char = row["char"] or ("" if row["error"] else "[yellow]empty[/yellow]")
            table.add_row(row["path"], char, f"{row['confidence']:.3f}", row["error"] or alternatives)
        Console(width=None if sys.stdout.isatty() else 160).print(table)
