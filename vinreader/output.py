"""What the command line prints: inputs expanded, results streamed as a table, JSON, JSON lines or CSV.

Shared by `vinreader read` and `vinreader boxes read`, which return the same result type.
"""

from __future__ import annotations

import csv
import glob
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from vinreader.io import IMAGE_EXTENSIONS
from vinreader.types import VinResult

stderr = Console(stderr=True)

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


def read_all(reader: Any, inputs: list[str], visualize: Path | None) -> Iterator[VinResult]:
    for item in inputs:
        if item == "-":
            result = reader.read(sys.stdin.buffer.read(), name="<stdin>")
        else:
            result = reader.read(item)
        if visualize is not None and item != "-":
            from vinreader.visualize import save_overlay

            save_overlay(item, result, visualize)
        yield result


def _flat_row(result: VinResult) -> dict[str, Any]:
    d = result.to_dict()
    return {k: (";".join(d[k]) if k == "reasons" else d[k]) for k in CSV_FIELDS}  # flat fields for CSV/table


def report(results: Iterator[VinResult], total: int, output_format: OutputFormat) -> None:
    """Print results as they come (line formats stream), list the errors, exit 1 if any input failed."""
    done: list[VinResult] = []
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS) if output_format is OutputFormat.csv else None
    if writer:
        writer.writeheader()
    with progress_bar(total) as progress:
        task = progress.add_task("reading", total=total)
        for result in results:
            done.append(result)
            # Stream line formats so that nothing is lost if the batch is interrupted.
            if output_format is OutputFormat.jsonl:
                print(json.dumps(result.to_dict()), flush=True)
            elif writer:
                writer.writerow(_flat_row(result))
                sys.stdout.flush()
            progress.advance(task)
    if output_format is OutputFormat.json:
        print(json.dumps([r.to_dict() for r in done], indent=2))
    elif output_format is OutputFormat.table:
        print_table(done)
    failed = [r for r in done if r.error]
    for r in failed:
        stderr.print(f"[red]error[/red] {r.error}", highlight=False)
    raise typer.Exit(1 if failed else 0)


def progress_bar(total: int) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=total < 2,
    )


def print_table(results: list[VinResult]) -> None:
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
