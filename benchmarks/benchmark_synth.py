"""Speed and determinism of `vinreader synth`: the issue's target is 2,000 detection scenes and
10,000 recognition crops in <= 5 minutes with 2 workers on a 2-core machine.

Prints per-stage medians (one process), the full run's total, and whether the same seed gives
byte-identical labels.json files (and images) with 1 and 2 workers. Nothing is asserted.

    python benchmarks/benchmark_synth.py [--n 2000] [--per-scene 5] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from vinreader.synth.dataset import generate
from vinreader.synth.effects import photo_from_scene, recognition_crop
from vinreader.synth.scenes import KINDS, render_scene

TARGET_SECONDS = 300.0


def stage_medians(samples: int, per_scene: int) -> dict[str, dict[str, float]]:
    """Median milliseconds of each stage per kind, in this process with one OpenCV thread."""
    cv2.setNumThreads(1)
    times: dict[str, dict[str, list[float]]] = {kind: {} for kind in KINDS}
    for i in range(samples):
        kind, rng = KINDS[i % len(KINDS)], np.random.default_rng(i)
        stages = times[kind]
        start = time.perf_counter()
        scene = render_scene(kind, rng)
        stages.setdefault("render_scene", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        photo = photo_from_scene(scene, rng)
        stages.setdefault("photo_from_scene", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        cv2.imencode(".jpg", photo.image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        stages.setdefault("jpeg_photo", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(per_scene):
            cv2.imencode(".jpg", recognition_crop(scene, rng), [cv2.IMWRITE_JPEG_QUALITY, 95])
        stages.setdefault(f"{per_scene}_crops", []).append(time.perf_counter() - start)
    return {
        kind: {stage: 1000 * statistics.median(values) for stage, values in stages.items()}
        for kind, stages in times.items()
    }


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def same_bytes(first: Path, second: Path) -> tuple[bool, bool]:
    """(labels.json files identical, all files identical) between two generated folders."""
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    others = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    labels = [p for p in files if p.name == "labels.json"]
    labels_same = bool(labels) and all((first / p).read_bytes() == (second / p).read_bytes() for p in labels)
    all_same = files == others and all((first / p).read_bytes() == (second / p).read_bytes() for p in files)
    return labels_same, all_same


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=2000, help="scenes in the full run")
    parser.add_argument("--per-scene", type=int, default=5, help="recognition crops per scene")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stage-samples", type=int, default=40, help="scenes timed stage by stage")
    parser.add_argument("--check-n", type=int, default=16, help="scenes in the determinism check")
    parser.add_argument("--keep", type=Path, help="write the full run here instead of a temporary folder")
    args = parser.parse_args()

    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    print(f"\nper-stage medians (ms, one process, {args.stage_samples} scenes):")
    medians = stage_medians(args.stage_samples, args.per_scene)
    stages = list(next(iter(medians.values())))
    print("| kind | " + " | ".join(stages) + " |")
    print("|---" * (len(stages) + 1) + "|")
    for kind, row in medians.items():
        print(f"| {kind} | " + " | ".join(f"{row[stage]:.0f}" for stage in stages) + " |")

    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "full"
        start, cpu_start = time.perf_counter(), _cpu_seconds()
        manifest = generate(
            out,
            args.n,
            KINDS,
            seed=0,
            workers=args.workers,
            recognition_per_scene=args.per_scene,
            overwrite=True,
        )
        total, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
        counts = manifest["counts"]
        verdict = "within" if total <= TARGET_SECONDS else "OVER"
        print(
            f"\nfull run, {args.workers} workers: {counts['detection']} detection scenes"
            f" + {counts['e2e']} e2e + "
            f"{counts['recognition']} recognition crops in {total:.1f} s "
            f"({total / args.n * 1000:.0f} ms/scene wall, {verdict} the {TARGET_SECONDS:.0f} s target)"
        )
        # Other processes on the machine slow the wall time down; the CPU time does not depend on them.
        print(
            f"CPU time of this run: {cpu:.0f} s ({cpu / args.n * 1000:.0f} ms/scene): "
            f"{cpu / args.workers:.0f} s of wall time for {args.workers} workers on otherwise idle cores"
        )

        single, double = Path(tmp) / "w1", Path(tmp) / "w2"
        for folder, workers in ((single, 1), (double, 2)):
            generate(folder, args.check_n, KINDS, seed=123, workers=workers, progress=False)
        labels_same, all_same = same_bytes(single, double)
        print(
            f"same seed, workers 1 vs 2 ({args.check_n} scenes): labels.json byte-identical: {labels_same}; "
            f"every file byte-identical: {all_same}"
        )


if __name__ == "__main__":
    main()
