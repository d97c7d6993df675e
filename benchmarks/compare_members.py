"""Compare sets of charbox networks averaged by the box reader, on generated validation forms.

How the members of `vin_charbox_mean` are chosen (model card, `vinreader/weights/vin_charbox.md`).
Each network's probabilities for every box of every form, in every view the reader cuts, are computed
once and cached per network and seed (``--cache``); any set of them is then averaged and decided
exactly as `BoxReader` does (serial-digit prior, check-digit correction, score), without re-reading
the forms. Use validation seeds (7-10), never the evaluation seed 2027.

    python benchmarks/compare_members.py --seeds 7 8 9 10 --forms 500 \\
        --member vinreader/weights/vin_charbox.json --member runs/new/vin_charbox.json ... \\
        --set 0,1,2,3 --set 4,1,2,3

Prints, per set: forms right / false when answering always and at several thresholds, forms right at
false budgets of 1 / 1.5 / 2 / 3% (threshold swept), and misread characters on handwritten rows.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import types
from pathlib import Path

import numpy as np
from evaluate_boxes import right_at_budgets, right_false_at, row_found  # benchmarks/, run as a script

from vinreader.boxes.cell import VIEW_SHIFTS, row_views
from vinreader.boxes.find import find_box_row
from vinreader.boxes.glyph import is_empty
from vinreader.boxes.reader import BoxReader, BoxReaderConfig, average_views, char_readings, serial_prior
from vinreader.data.characters import glyph_fonts, mnist_digits
from vinreader.models.registry import build_classifier
from vinreader.synth.forms import render_form
from vinreader.vin import VIN_ALPHABET

_STATE: dict = {}


def _form_probs(args: tuple[str, int, int]) -> tuple[str, bool, bool, np.ndarray, np.ndarray]:
    """One form of ``seed`` -> truth, handwritten, row found, (views, 17, 33) probabilities, (views, 17) empty."""
    member, seed, index = args
    if _STATE.get("member") != member:
        _STATE.update(member=member, clf=build_classifier(member), fonts=glyph_fonts("heldout"))
        _STATE["digits"] = mnist_digits("heldout")
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    form = render_form(None, rng, fonts=_STATE["fonts"], digits=_STATE["digits"])  # as evaluate_boxes.py
    views = len(VIEW_SHIFTS)
    probs, empty = np.zeros((views, 17, len(VIN_ALPHABET)), np.float32), np.ones((views, 17), bool)
    row = find_box_row(form.scene.image)
    found = row_found(form, None if row is None else row.polygon)
    if row is not None:
        for v, glyphs in enumerate(row_views(form.scene.image, row, views)):
            empty[v] = [is_empty(g) for g in glyphs]
            probs[v] = _STATE["clf"](np.stack(glyphs))
    return form.scene.vin, bool(form.handwritten), found, probs, empty


def member_probs(member: str, seed: int, forms: int, cache: Path, workers: int) -> dict[str, np.ndarray]:
    """Every box's probabilities under one network, cached per network, code, seed and form count.

    The cache key hashes the network's ONNX bytes (or its name) with the source of the form generator
    and the box cutting (`vinreader/synth`, `vinreader/boxes`): a change to either is a new cache entry.
    """
    card = Path(member)
    digest = hashlib.sha1(card.with_suffix(".onnx").read_bytes() if card.exists() else member.encode())
    package = Path(__file__).resolve().parents[1] / "vinreader"
    for source in sorted([*package.glob("boxes/*.py"), *package.glob("synth/*.py")]):
        digest.update(source.read_bytes())
    path = cache / f"{digest.hexdigest()[:12]}_seed{seed}_{forms}.npz"
    if not path.exists():
        jobs = [(member, seed, i) for i in range(forms)]
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            rows = pool.map(_form_probs, jobs, chunksize=4)
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **{k: np.array([r[i] for r in rows]) for i, k in enumerate(
            ("vin", "hw", "found", "probs", "empty"))})  # fmt: skip
    return dict(np.load(path))


def decide_set(data: list[dict[str, np.ndarray]], config: BoxReaderConfig) -> tuple[list[tuple], int]:
    """Forms (truth, read or "", score) with the members' mean decided as the reader does; misread handwritten chars."""
    reader = BoxReader.__new__(BoxReader)  # the decision alone: the probabilities are given
    reader.config = config
    page, first, out, wrong = types.SimpleNamespace(page=None), data[0], [], 0
    for i, vin in enumerate(first["vin"]):
        empty = first["empty"][i]
        if not first["found"][i] or empty[0].any():
            out.append((vin, "", 0.0))
            continue
        mean = average_views(np.stack([d["probs"][i] for d in data]), empty)
        mean = serial_prior(mean, config.serial_letter_weight)
        best = reader.decide(char_readings(mean, config.alternatives), None, page, "form", {}).candidates[0]
        out.append((vin, best.vin, best.score))
        if first["hw"][i]:
            wrong += sum(a != b for a, b in zip("".join(VIN_ALPHABET[k] for k in mean.argmax(1)), vin, strict=True))
    return out, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--member", action="append", required=True, help="Card of a network (repeat).")
    parser.add_argument("--set", action="append", help="Indices of --member averaged, e.g. 0,1,2,3 (repeat).")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10])
    parser.add_argument("--forms", type=int, default=500, help="Forms per seed.")
    parser.add_argument("--cache", type=Path, default=Path("runs/members"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    probs = [[member_probs(m, s, args.forms, args.cache, args.workers) for s in args.seeds] for m in args.member]
    pooled = [{k: np.concatenate([d[k] for d in per_seed]) for k in per_seed[0]} for per_seed in probs]
    config = BoxReaderConfig()
    print("| set | always right / false | at 0.7 | at 0.8 | right at 1/1.5/2/3% false | hw chars misread |")
    print("|---|---|---|---|---|---|")
    for chosen in args.set or [",".join(str(k) for k in range(len(args.member)))]:
        members = [int(k) for k in chosen.split(",")]
        rows, wrong = decide_set([pooled[k] for k in members], config)
        cells = ["{:.1f} / {:.2f}".format(*right_false_at(rows, t)) for t in (0.0, 0.7, 0.8)]
        budgets = " / ".join(f"{x:.1f}" for x in right_at_budgets(rows))
        print(f"| {chosen} | {' | '.join(cells)} | {budgets} | {wrong} |")


if __name__ == "__main__":
    main()
