"""Recognizers alone on the real annotated VIN crops: exact match, character accuracy, latency.

Latency is the median per crop at batch 1 on one onnxruntime thread (preprocessing included).

    python benchmarks/benchmark_recognizer.py [--recognizer NAME_OR_CARD ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vinreader.evaluation.recognition import evaluate_recognizer
from vinreader.models.registry import available_models

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/data/vin-real-dev/recognition")
    parser.add_argument("--recognizer", action="append", help="default: every shipped recognizer")
    parser.add_argument("--out", type=Path, default=ROOT / "runs/benchmark/recognizers.json")
    args = parser.parse_args()
    names = args.recognizer or available_models("recognizer")
    reports = [evaluate_recognizer(name, args.dataset, threads=1) for name in names]
    print("| recognizer | exact match | char accuracy | ms per crop (1 thread) |\n|---|---|---|---|")
    for r in reports:
        right = round(r["exact_match"] * r["crops"])
        print(
            f"| {r['recognizer']} | {r['exact_match']:.1%} ({right}/{r['crops']}) | {r['char_accuracy']:.2%} | "
            f"{r['ms_per_crop_p50']:.1f} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
