"""Accuracy and speed of the reader: real dev photos and synthetic phone-sized photos.

Prints a Markdown table (the README's) and writes ``runs/benchmark/benchmark.json``. Figures are
medians over images; nothing here is asserted (benchmarks are not tests).

    python benchmarks/benchmark_reader.py [--synthetic N] [--threads T] [--detector NAME] [-o key=value ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from vinreader import ReaderConfig, VinReader
from vinreader.evaluation.evaluate import evaluate_dataset
from vinreader.evaluation.metrics import ImageOutcome, Summary
from vinreader.synth.render import place_in_photo, render_plate, render_sticker
from vinreader.synth.strings import random_vin

ROOT = Path(__file__).resolve().parent.parent
# Phone photo sizes from 1 MP to 12 MP (4:3).
PHOTO_SIZES = [(1152, 864), (2048, 1536), (3264, 2448), (4000, 3000)]


def make_synthetic_photos(out_dir: Path, count: int, seed: int = 2024) -> Path:
    """Write ``count`` phone-sized JPEG photos of stickers and plates (images/ + labels.json)."""
    rng = np.random.default_rng(seed)
    (out_dir / "images").mkdir(parents=True, exist_ok=True)
    labels = {}
    for i in range(count):
        vin = random_vin(rng)
        scene = render_sticker(vin, rng, barcode=None) if i % 2 == 0 else render_plate(vin, rng)
        size = PHOTO_SIZES[i % len(PHOTO_SIZES)]
        photo = place_in_photo(scene, rng, photo_size=size, angle=float(rng.uniform(-4, 4)))
        name = f"synthetic_{i:03d}_{size[0]}x{size[1]}.jpg"
        cv2.imwrite(
            str(out_dir / "images" / name),
            cv2.cvtColor(photo.image, cv2.COLOR_RGB2BGR),
            [cv2.IMWRITE_JPEG_QUALITY, 90],
        )
        labels[name] = vin
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=1))
    return out_dir


def row(name: str, summary: Summary, outcomes: list[ImageOutcome]) -> str:
    correct = sum(o.exact for o in outcomes)
    false = sum(o.false_answer for o in outcomes)
    return (
        f"| {name} | {summary.exact_match:.1%} ({correct}/{summary.images}) | "
        f"{summary.false_answer_rate:.1%} ({false}) | {summary.abstain_rate:.1%} | "
        f"{summary.char_accuracy:.1%} | "
        f"{summary.latency_p50:.3f} s | {summary.latency_p90:.3f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared/data/vin-real-dev/e2e")
    parser.add_argument("--synthetic", type=int, default=24, help="number of synthetic phone photos")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: all cores)")
    parser.add_argument("--detector", help="detector name or card (default: the reader's)")
    parser.add_argument("-o", "--option", action="append", default=[], help="any ReaderConfig field, key=value")
    parser.add_argument("--out", type=Path, default=ROOT / "runs/benchmark")
    args = parser.parse_args()

    detector = [f"detector={args.detector}"] if args.detector else []
    try:
        config = ReaderConfig.from_strings([f"threads={args.threads}", *args.option, *detector])
    except ValueError as exc:
        parser.error(str(exc))
    reader = VinReader(config)
    reader.read(np.full((256, 256, 3), 255, np.uint8))  # warm-up: first-run allocations are not typical
    results, rows = {}, []
    if args.dev.is_dir():
        summary, outcomes = evaluate_dataset(reader, args.dev, args.out / "dev")
        results["vin-real-dev e2e"] = summary.to_dict()
        rows.append(row(f"vin-real-dev e2e ({summary.images} real photos, 256×256)", summary, outcomes))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        dataset = make_synthetic_photos(Path(tmp), args.synthetic)
        print(f"made {args.synthetic} synthetic photos in {time.perf_counter() - start:.1f} s")
        summary, outcomes = evaluate_dataset(reader, dataset, args.out / "synthetic")
        results["synthetic phone photos"] = summary.to_dict()
        rows.append(row(f"synthetic phone photos ({summary.images}, 1–12 MP JPEG)", summary, outcomes))
    header = (
        "| dataset | exact match | false answers | abstain | char accuracy | median latency | p90 latency |\n"
        "|---|---|---|---|---|---|---|"
    )
    print(header + "\n" + "\n".join(rows))
    machine = {
        "cpus": __import__("os").cpu_count(),
        "processor": platform.processor(),
        "threads": args.threads,
        "reader": dataclasses.asdict(reader.config),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "benchmark.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))


if __name__ == "__main__":
    main()
