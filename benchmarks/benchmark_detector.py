"""Detector latency: median per image at its input size, onnxruntime batch 1, on 1 and 2 threads.

"network" is the ONNX run alone; "detect" adds resizing, normalization and box post-processing.
With ``--dataset`` (a docTR detection folder) recall, precision and mean IoU at IoU 0.5 are added.
Nothing is asserted (benchmarks are not tests).

    python benchmarks/benchmark_detector.py [--detector NAME_OR_CARD ...] [--images N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from vinreader.evaluation.detection import evaluate_detector
from vinreader.io import load_image
from vinreader.models.detector import prepare_image
from vinreader.models.registry import available_models, build_detector

ROOT = Path(__file__).resolve().parent.parent


def latency_ms(detector_name: str, images: list[np.ndarray], threads: int, repeats: int) -> dict[str, float]:
    detector = build_detector(detector_name, threads=threads)
    shape = detector.input_shape(*images[0].shape[:2])
    x = prepare_image(images[0], shape, detector.mean, detector.std, detector.channel_order)[None]
    for _ in range(3):  # warm-up
        detector.session.run(None, {detector.input_name: x})
    network, full = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        detector.session.run(None, {detector.input_name: x})
        network.append(time.perf_counter() - start)
    for image in images:
        start = time.perf_counter()
        detector.detect(image)
        full.append(time.perf_counter() - start)
    return {
        "input": f"{shape[1]}x{shape[0]}",
        "network_ms": 1000 * float(np.median(network)),
        "detect_ms": 1000 * float(np.median(full)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/data/vin-detection-real/valid")
    parser.add_argument("--detector", action="append", help="default: every shipped detector")
    parser.add_argument("--images", type=int, default=50, help="images timed through detect()")
    parser.add_argument("--repeats", type=int, default=50, help="network runs timed on one image")
    parser.add_argument("--accuracy", action="store_true", help="also recall/precision/mIoU on --dataset")
    parser.add_argument("--out", type=Path, default=ROOT / "runs/benchmark/detectors.json")
    args = parser.parse_args()
    names = args.detector or available_models("detector")
    files = sorted((args.dataset / "images").iterdir())[: args.images]
    images = [load_image(f) for f in files]
    rows = []
    print("| detector | input | threads | network ms | detect ms | recall | precision | mean IoU |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        accuracy = evaluate_detector(name, args.dataset) if args.accuracy else {}
        for threads in (1, 2):
            row = {"detector": name, "threads": threads, **latency_ms(name, images, threads, args.repeats)}
            row.update({k: accuracy[k] for k in ("recall", "precision", "mean_iou") if k in accuracy})
            rows.append(row)
            figures = " | ".join(f"{row[k]:.3f}" if k in row else "-" for k in ("recall", "precision", "mean_iou"))
            timing = f"{row['network_ms']:.1f} | {row['detect_ms']:.1f}"
            print(f"| {name} | {row['input']} | {threads} | {timing} | {figures} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
