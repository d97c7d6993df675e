"""Speed of the box reader: seconds per generated form, median and p90, loading excluded.

Each form (about 1,300 x 1,700 px, written with the held-out fonts) is rendered first, then read by
`BoxReader.read` from its pixels: the row search, cutting and cleaning every view of every box, and
the classifier(s). Forms are read one after another in this process (onnxruntime on every core).

    python benchmarks/benchmark_boxes.py                                   # default reader, 5 and 1 views
    python benchmarks/benchmark_boxes.py --classifier vin_charbox --forms 40
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from vinreader.boxes.reader import BoxReader, BoxReaderConfig
from vinreader.data.characters import glyph_fonts, mnist_digits
from vinreader.synth.forms import render_form

ROOT = Path(__file__).resolve().parent.parent


def time_reader(config: BoxReaderConfig, images: list[np.ndarray]) -> dict[str, float]:
    """Median and p90 seconds per form of a reader built once from ``config``."""
    reader = BoxReader(config)
    reader.read(images[0])  # the first call pays onnxruntime's warm-up
    seconds = []
    for image in images:
        started = time.perf_counter()
        reader.read(image)
        seconds.append(time.perf_counter() - started)
    return {"s_per_form_p50": float(np.median(seconds)), "s_per_form_p90": float(np.percentile(seconds, 90))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default=BoxReaderConfig.classifier, help="Model name or card path.")
    parser.add_argument("--forms", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, default=ROOT / "runs/benchmark/boxes.json")
    args = parser.parse_args()
    fonts, digits = glyph_fonts("heldout"), mnist_digits("heldout")
    images = [
        render_form(
            None, np.random.default_rng(np.random.SeedSequence([args.seed, i])), fonts=fonts, digits=digits
        ).scene.image
        for i in range(args.forms)
    ]
    reports = []
    for views in (BoxReaderConfig.views, 1):
        report = {"classifier": args.classifier, "views": views, "forms": args.forms}
        report.update(time_reader(BoxReaderConfig(classifier=args.classifier, views=views), images))
        reports.append(report)
    print("| classifier | views | s per form, median | p90 |\n|---|---|---|---|")
    for r in reports:
        print(f"| {r['classifier']} | {r['views']} | {r['s_per_form_p50']:.3f} | {r['s_per_form_p90']:.3f} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
