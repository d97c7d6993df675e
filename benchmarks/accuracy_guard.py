"""CI guard: the reader must not read the real dev photos worse than the README says.

Evaluates the default reader on ``../shared/data/vin-real-dev/e2e`` and fails (exit 1) when exact
match falls more than one photo below the figure recorded in README.md's accuracy table, or when
false answers exceed 2%.

    python benchmarks/accuracy_guard.py [--dataset DIR] [--readme README.md]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from vinreader import VinReader
from vinreader.evaluation.evaluate import evaluate_dataset

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\|\s*vin-real-dev e2e.*?\((\d+)/(\d+)\)", re.MULTILINE)
MAX_FALSE_ANSWER_RATE = 0.02


def recorded_exact(readme: Path) -> tuple[int, int]:
    """(correct, total) from the README row that starts with 'vin-real-dev e2e'."""
    match = ROW.search(readme.read_text())
    if not match:
        raise SystemExit(f"{readme}: no '| vin-real-dev e2e ... (N/M)' row in the accuracy table")
    return int(match.group(1)), int(match.group(2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/data/vin-real-dev/e2e")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--out", type=Path, default=ROOT / "runs/accuracy_guard")
    args = parser.parse_args()
    correct_recorded, total_recorded = recorded_exact(args.readme)
    summary, outcomes = evaluate_dataset(VinReader(), args.dataset, args.out)
    correct = sum(o.exact for o in outcomes)
    false = sum(o.false_answer for o in outcomes)
    print(
        f"accuracy guard: exact {correct}/{summary.images} (README: {correct_recorded}/{total_recorded}), "
        f"false answers {false} ({summary.false_answer_rate:.1%}), p50 {summary.latency_p50:.3f}s"
    )
    failures = []
    if summary.images != total_recorded:
        failures.append(f"dataset has {summary.images} photos, README table was measured on {total_recorded}")
    if correct < correct_recorded - 1:
        failures.append(f"exact match {correct} is more than one photo below the recorded {correct_recorded}")
    if summary.false_answer_rate > MAX_FALSE_ANSWER_RATE:
        failures.append(f"false answers {summary.false_answer_rate:.1%} exceed {MAX_FALSE_ANSWER_RATE:.0%}")
    for failure in failures:
        print(f"accuracy guard FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
