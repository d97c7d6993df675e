"""`vinreader evaluate DATASET`: run the reader on labelled photos and report what users care about.

Writes ``report.json`` (summary + reader config) and ``per_image.csv`` (one row per photo) to the
output folder, so any figure in the README can be traced to a run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from vinreader.data.doctr import load_text_labels
from vinreader.evaluation.metrics import ImageOutcome, Summary, summarize
from vinreader.pipeline import VinReader


def evaluate_dataset(
    reader: VinReader,
    dataset: str | Path,
    out_dir: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Summary, list[ImageOutcome]]:
    """Evaluate ``reader`` on a dataset of whole photos (``images/`` + ``labels.json``: file -> VIN).

    Args:
        reader: the reader to evaluate (its config is recorded in the report).
        dataset: the dataset folder.
        out_dir: where to write ``report.json`` and ``per_image.csv`` (nothing written if None).
        progress: called with (done, total) after each image.

    Returns:
        The summary and the per-image outcomes.
    """
    dataset = Path(dataset)
    labels = load_text_labels(dataset)
    outcomes = []
    for i, (file, label) in enumerate(sorted(labels.items()), start=1):
        result = reader.read(dataset / "images" / file)
        best = result.candidates[0].vin if result.candidates else None
        outcomes.append(
            ImageOutcome(
                file=file,
                label=label,
                vin=result.vin,
                best_candidate=best,
                confidence=result.confidence,
                seconds=result.elapsed_s,
                error=result.error,
            )
        )
        if progress:
            progress(i, len(labels))
    summary = summarize(outcomes)
    if out_dir is not None:
        write_report(Path(out_dir), dataset, summary, outcomes, asdict(reader.config))
    return summary, outcomes


def write_report(
    out_dir: Path, dataset: Path, summary: Summary, outcomes: list[ImageOutcome], config: dict[str, Any]
) -> None:
    """``report.json`` and ``per_image.csv`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"dataset": str(dataset), "summary": summary.to_dict(), "reader_config": config}
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    with (out_dir / "per_image.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "file",
                "label",
                "vin",
                "best_candidate",
                "confidence",
                "exact",
                "false_answer",
                "seconds",
                "error",
            ]
        )
        for o in outcomes:
            writer.writerow(
                [o.file, o.label, o.vin or "", o.best_candidate or "", f"{o.confidence:.4f}", int(o.exact),
                 int(o.false_answer), f"{o.seconds:.4f}", o.error or ""]
            )  # fmt: skip
