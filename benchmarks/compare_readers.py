"""Compare two reader settings on photos without labels: where do their answers differ?

A threshold such as ``recognizer_accept`` can be checked on unlabelled photos: read them with a
reference setting and with the candidate one, and look at the photos where both answer and disagree
(one of the two is wrong) or where only one answers. Prints counts and the disagreeing files; writes
every answer to ``--out`` as JSON.

    python benchmarks/compare_readers.py PHOTOS_DIR --reference recognizer=ppocr_v6_rec \\
        --reference fallback_recognizer= --candidate recognizer_accept=0.95 [--exclude labels.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from statistics import median

from vinreader import ReaderConfig, VinReader
from vinreader.output import expand_inputs


def read_all(config: ReaderConfig, files: list[Path]) -> tuple[dict[str, str | None], float]:
    """Each file's answer (None: not sure) under ``config``, and the median seconds per photo."""
    reader = VinReader(config)
    answers, seconds = {}, []
    for path in files:
        start = time.perf_counter()
        result = reader.read(path)
        seconds.append(time.perf_counter() - start)
        answers[path.name] = result.vin
        if result.error:
            print(f"{path}: {result.error}")
    return answers, median(seconds) if seconds else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path, help="a folder of photos (an images/ folder inside is used)")
    parser.add_argument("--reference", action="append", default=[], help="ReaderConfig field key=value")
    parser.add_argument("--candidate", action="append", default=[], help="ReaderConfig field key=value")
    parser.add_argument("--exclude", type=Path, help="a labels.json whose files are left out (e.g. a dev set)")
    parser.add_argument("--out", type=Path, default=Path("runs/compare_readers.json"))
    args = parser.parse_args()
    try:
        configs = [ReaderConfig.from_strings(options) for options in (args.reference, args.candidate)]
    except ValueError as exc:
        parser.error(str(exc))
    folder = args.photos / "images" if (args.photos / "images").is_dir() else args.photos
    if not folder.is_dir():
        parser.error(f"{args.photos}: not a folder")
    excluded = set(json.loads(args.exclude.read_text())) if args.exclude else set()
    files = [Path(p) for p in expand_inputs([str(folder)]) if Path(p).name not in excluded]
    reference, ref_seconds = read_all(configs[0], files)
    candidate, cand_seconds = read_all(configs[1], files)
    differ = sorted(f for f in reference if reference[f] and candidate[f] and reference[f] != candidate[f])
    only_candidate = sorted(f for f in reference if candidate[f] and not reference[f])
    only_reference = sorted(f for f in reference if reference[f] and not candidate[f])
    answered = [sum(map(bool, answers.values())) for answers in (reference, candidate)]
    print(f"{len(files)} photos; answered (reference / candidate): {answered[0]} / {answered[1]}; "
          f"median seconds: {ref_seconds:.3f} / {cand_seconds:.3f}")  # fmt: skip
    print(f"both answer, differently: {len(differ)}; only the candidate answers: {len(only_candidate)}; "
          f"only the reference answers: {len(only_reference)}")  # fmt: skip
    for name in differ + only_candidate + only_reference:
        print(f"  {name}: reference {reference[name]}, candidate {candidate[name]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"reference": args.reference, "candidate": args.candidate, "reference_answers": reference,
              "candidate_answers": candidate, "differ": differ}  # fmt: skip
    args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
