"""The `vinreader` command: read VINs from files, evaluate the reader on labelled photos.

Exit codes: 0 when every input was read (an honest "not sure" counts as read), 1 when some input
could not be read (its row carries the error), 2 on usage errors.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vinreader.boxes.cli import boxes_app
from vinreader.output import OutputFormat, expand_inputs, progress_bar, read_all, report, stderr
from vinreader.pipeline import ReaderConfig, VinReader
from vinreader.synth.cli import synth_app
from vinreader.training.cli import train_app

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Read Vehicle Identification Numbers.")
app.add_typer(train_app, name="train")
app.add_typer(synth_app, name="synth")
app.add_typer(boxes_app, name="boxes")

ReaderOptions = Annotated[
    list[str] | None,
    typer.Option("--reader-option", "-o", help="Reader setting KEY=VALUE (e.g. min_score=0.7); repeatable."),
]


def build_reader(options: list[str] | None) -> VinReader:
    """A reader from ``KEY=VALUE`` strings; a bad option is a usage error (exit 2)."""
    try:
        return VinReader(ReaderConfig.from_strings(options or []))
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--reader-option") from exc


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
    report(read_all(build_reader(reader_option), inputs, visualize), len(inputs), output_format)


class Task(StrEnum):
    e2e = "e2e"
    recognition = "recognition"
    detection = "detection"


@app.command()
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="Folder with images/ and labels.json (file -> VIN).")],
    task: Annotated[
        Task,
        typer.Option(
            help="e2e: whole photos through the reader; recognition: line crops; detection: VIN boxes "
            "(docTR detection folder; recall, precision, mean IoU at IoU 0.5)."
        ),
    ] = Task.e2e,
    recognizer: Annotated[str | None, typer.Option(help="--task recognition: model name or card.")] = None,
    detector: Annotated[str | None, typer.Option(help="--task detection: model name or card.")] = None,
    out: Annotated[Path, typer.Option(help="Where report.json (and per_image.csv) go.")] = Path("runs/evaluate"),
    reader_option: ReaderOptions = None,
) -> None:
    """Exact match, false answers, abstentions, character accuracy and latency on labelled data."""
    from vinreader.data.doctr import DatasetError

    try:
        if task is Task.recognition:
            _evaluate_recognition(dataset, recognizer or ReaderConfig().recognizer, out)
        elif task is Task.detection:
            _evaluate_detection(dataset, detector or ReaderConfig().detector, out)
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


def _evaluate_detection(dataset: Path, detector: str, out: Path) -> None:
    from vinreader.evaluation.detection import evaluate_detector

    report = evaluate_detector(detector, dataset)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "errors"}))
    stderr.print(f"{len(report['errors'])} images with a missed or extra box; list in {out / 'report.json'}")


def _evaluate_e2e(dataset: Path, reader: VinReader, out: Path) -> None:
    from vinreader.evaluation.evaluate import evaluate_dataset

    with progress_bar(2) as progress:
        task = progress.add_task("evaluating", total=None)
        summary, _ = evaluate_dataset(
            reader, dataset, out, lambda done, total: progress.update(task, completed=done, total=total)
        )
    table = Table("metric", "value", title=f"{dataset} ({summary.images} images)")
    for key, value in summary.to_dict().items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    counts = {"detector_fallbacks": reader.fallbacks, "recognizer_rereads": reader.reread_crops}
    print(json.dumps({"dataset": str(dataset), **summary.to_dict(), **counts}))
    stderr.print(f"report: {out / 'report.json'}, per image: {out / 'per_image.csv'}")


@app.command()
def export(
    checkpoint: Annotated[Path, typer.Option(help="A training checkpoint (.pt) or run folder (its best.pt).")],
    out: Annotated[Path, typer.Option(help="The ONNX file to write; its model card goes beside it (.json).")],
    half_weights: Annotated[
        bool, typer.Option(help="Store the weights as float16 (half the file; computed in float32).")
    ] = False,
) -> None:
    """Export a checkpoint to ONNX, check it against PyTorch, and write its model card."""
    from vinreader.export import export as export_onnx

    try:
        report = export_onnx(checkpoint, out, half_weights=half_weights)
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
    view_margin: Annotated[
        list[float] | None, typer.Option(help="Also write each kept box cut with this margin (x its height); repeat.")
    ] = None,
    view_detector: Annotated[
        str | None, typer.Option(help="Also write the crop this detector makes of each kept box (e.g. vin_dbnet).")
    ] = None,
) -> None:
    """Cut the labelled VIN boxes and keep those the teacher reads clearly and that obey the VIN rules."""
    from collections import Counter

    from vinreader.data.doctr import DatasetError, load_text_labels
    from vinreader.data.teacher import teacher_label as run_teacher

    try:
        with progress_bar(2) as progress:
            task = progress.add_task("labelling", total=None)
            verdicts = run_teacher(
                dataset,
                out,
                recognizer,
                min_confidence,
                progress=lambda d, t: progress.update(task, completed=d, total=t),
                agree_with=agree_with,
                agree_min_confidence=agree_min_confidence,
                view_margins=tuple(view_margin or ()),
                view_detector=view_detector,
            )
    except DatasetError as exc:
        raise typer.BadParameter(str(exc), param_hint="DATASET") from exc
    kept = sum(v.vin is not None for v in verdicts)
    agreed = sum(v.reason == "kept_agreed" for v in verdicts)
    reasons = Counter(v.reason.split(":")[0] for v in verdicts if v.vin is None)
    print(
        json.dumps(
            {
                "boxes": len(verdicts),
                "kept": kept,
                "kept_agreed": agreed,
                "crops_written": len(load_text_labels(out)),
                "left_out": dict(reasons.most_common()),
            }
        )
    )


@app.command("tune-unclip")
def tune_unclip(
    val_path: Annotated[Path, typer.Option(help="Whole photos + labels.json (file -> VIN), e.g. vin-real-dev/e2e.")],
    detector: Annotated[str, typer.Option(help="Detector model name or card; its card json is updated.")] = "vin_dbnet",
    unclip_ratio: Annotated[str, typer.Option(help="Comma-separated grid.")] = "1.3,1.5,1.7,2.0",
    thresh: Annotated[str, typer.Option(help="Binarization thresholds, comma-separated grid.")] = "0.2,0.3,0.4",
    box_thresh: Annotated[str, typer.Option(help="Box score thresholds, comma-separated grid.")] = "0.5,0.6",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; leave the card as it is.")] = False,
    reader_option: ReaderOptions = None,
) -> None:
    """Choose unclip ratio and thresholds by END-TO-END exact match of the reader, and write them to the card."""
    from vinreader.data.doctr import DatasetError
    from vinreader.evaluation.tune import tune_postprocess

    def grid(text: str) -> list[float]:
        return [float(v) for v in text.split(",") if v.strip()]

    options = [*(reader_option or []), f"detector={detector}"]
    reader = build_reader(options)
    try:
        with progress_bar(2) as progress:
            task = progress.add_task("tuning", total=None)
            report = tune_postprocess(
                reader, val_path, grid(unclip_ratio), grid(thresh), grid(box_thresh), write=not dry_run,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
    except DatasetError as exc:
        raise typer.BadParameter(str(exc), param_hint="--val-path") from exc
    for row in report["grid"]:
        stderr.print(json.dumps(row), highlight=False)
    print(json.dumps({k: v for k, v in report.items() if k != "grid"}))


def main(argv: list[str] | None = None) -> None:
    """Entry point (``argv`` for tests; defaults to sys.argv)."""
    app(args=argv, prog_name="vinreader")


if __name__ == "__main__":
    main()
