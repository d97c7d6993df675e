"""Write synthetic training data in docTR formats: detection photos, recognition crops, e2e photos.

Sample ``i`` renders one scene of kind ``kinds[i % len(kinds)]`` and draws all its randomness from
``np.random.SeedSequence([seed, i])``, so the output depends only on ``seed`` and ``i``: the same
files whatever the number of workers, and a larger ``n`` extends a smaller one. From each scene:

* ``detection/images/{kind}_{i:06d}.jpg``: a phone photo of the scene (`photo_from_scene`); only the
  VIN line is a polygon in ``labels.json``, every other piece of text is a distractor;
* ``recognition/images/{kind}_{i:06d}_{k}.jpg``: ``recognition_per_scene`` crops of the VIN line
  (`recognition_crop`), cut from the photo when its VIN is legible there, else from the close-up;
* ``e2e/images/{kind}_{i:06d}.jpg``: the detection photos again, hard-linked (no extra time or disk),
  with their VIN. They are the same photos on purpose: e2e data of one run checks the reader on what
  the detector saw; to evaluate a model trained on a run, generate another folder with another seed.

Example:
    >>> from pathlib import Path
    >>> generate(Path("data/synth"), n=2000, kinds=KINDS, seed=0, workers=2)["counts"]
    {'detection': 2000, 'e2e': 2000, 'recognition': 10000}
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from vinreader.synth.effects import line_metrics, photo_from_scene, recognition_crop
from vinreader.synth.scenes import ALL_KINDS, FORM_KINDS, KINDS, render_scene

if TYPE_CHECKING:
    from vinreader.synth.render import Scene

GENERATOR_VERSION = "1"
"""Bumped whenever the same seed gives different files, so a dataset can be traced to its code."""
PARTS = ("detection", "recognition", "e2e")
PHOTO_QUALITY = 92  # the photos already carry their own JPEG artefacts (effects.camera_effects)
CROP_QUALITY = 95
MIN_LEGIBLE_HEIGHT = 14.0  # px of VIN line height in a photo for a crop of it to be readable


@dataclass(frozen=True)
class GenerateConfig:
    """What `generate` was asked for, validated; sent to the workers and written to manifest.json."""

    out: str
    n: int
    kinds: tuple[str, ...]
    seed: int
    parts: tuple[str, ...]
    recognition_per_scene: int

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1 (the number of scenes), got {self.n}")
        if not self.kinds:
            raise ValueError(f"at least one kind is needed; known: {', '.join(KINDS)}")
        unknown = [kind for kind in self.kinds if kind not in ALL_KINDS]
        if unknown:
            raise ValueError(f"unknown kind {', '.join(map(repr, unknown))}; known: {', '.join(ALL_KINDS)}")
        bad_parts = [part for part in self.parts if part not in PARTS]
        if bad_parts or not self.parts:
            raise ValueError(f"parts must be among {', '.join(PARTS)}, got {', '.join(self.parts) or 'none'}")
        if "recognition" in self.parts and self.recognition_per_scene < 1:
            raise ValueError(f"recognition_per_scene must be >= 1, got {self.recognition_per_scene}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")


def sample_name(kind: str, index: int) -> str:
    """File stem of sample `index`: the kind first, so sheets and subsets can be picked by name."""
    return f"{kind}_{index:06d}"


def _encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def _link_or_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(source, target)


def make_sample(index: int, config: GenerateConfig) -> dict[str, dict[str, Any]]:
    """Render sample `index`, write its files, return its label entries by part."""
    kind = config.kinds[index % len(config.kinds)]
    scene_seq, photo_seq, crop_seq = np.random.SeedSequence([config.seed, index]).spawn(3)
    scene = render_scene(kind, np.random.default_rng(scene_seq))
    # The photo is made even when only crops are asked for: some crops are cut from it, and the
    # crops of a sample must not depend on which parts were requested.
    # A form is rendered already scanned (rotation within ±10°, as the box reader expects).
    photo = scene if kind in FORM_KINDS else photo_from_scene(scene, np.random.default_rng(photo_seq))
    stem = sample_name(kind, index)
    entries = _write_photo(photo, stem, config) if {"detection", "e2e"} & set(config.parts) else {}
    if "recognition" in config.parts:
        entries["recognition"] = _write_crops(scene, photo, stem, np.random.default_rng(crop_seq), config)
    return entries


def _write_photo(photo: Scene, stem: str, config: GenerateConfig) -> dict[str, dict[str, Any]]:
    """The photo into detection/ (with its polygon) and e2e/ (a hard link, with its VIN)."""
    out, name = Path(config.out), f"{stem}.jpg"
    data = _encode_jpeg(photo.image, PHOTO_QUALITY)
    first = "detection" if "detection" in config.parts else "e2e"
    (out / first / "images" / name).write_bytes(data)
    entries: dict[str, dict[str, Any]] = {}
    if "detection" in config.parts:
        height, width = photo.image.shape[:2]
        polygon = np.round(photo.polygon.astype(np.float64), 2).tolist()
        entries["detection"] = {
            name: {
                "img_dimensions": [height, width],
                "img_hash": hashlib.sha256(data).hexdigest(),
                "polygons": [polygon],
            }
        }
    if "e2e" in config.parts:
        if first == "detection":
            _link_or_copy(out / "detection" / "images" / name, out / "e2e" / "images" / name)
        entries["e2e"] = {name: photo.vin}
    return entries


def _write_crops(
    scene: Scene, photo: Scene, stem: str, rng: np.random.Generator, config: GenerateConfig
) -> dict[str, str]:
    """Crops of the VIN line into recognition/: half from the photo when it is legible there."""
    legible = line_metrics(photo.polygon)[1] >= MIN_LEGIBLE_HEIGHT
    images, labels = Path(config.out) / "recognition" / "images", {}
    for k in range(config.recognition_per_scene):
        source = photo if legible and rng.random() < 0.5 else scene
        name = f"{stem}_{k}.jpg"
        (images / name).write_bytes(_encode_jpeg(recognition_crop(source, rng), CROP_QUALITY))
        labels[name] = scene.vin
    return labels


def _make_chunk(task: tuple[list[int], GenerateConfig]) -> tuple[int, dict[str, dict[str, Any]]]:
    indices, config = task
    merged: dict[str, dict[str, Any]] = {part: {} for part in config.parts}
    for index in indices:
        try:
            entries_by_part = make_sample(index, config)
        except Exception as exc:  # name the sample: make_sample(index, config) alone reproduces it
            kind = config.kinds[index % len(config.kinds)]
            raise RuntimeError(f"sample {index} ({kind}, seed {config.seed}) failed: {exc!r}") from exc
        for part, entries in entries_by_part.items():
            merged[part].update(entries)
    return len(indices), merged


def _init_worker() -> None:
    cv2.setNumThreads(1)  # one process per core already; more threads would only compete


@contextmanager
def _single_threaded_cv2() -> Iterator[None]:
    previous = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def _chunks(n: int, workers: int) -> list[list[int]]:
    size = max(1, min(16, n // (workers * 8)))
    return [list(range(start, min(start + size, n))) for start in range(0, n, size)]


def _run(config: GenerateConfig, workers: int, progress: bool) -> dict[str, dict[str, Any]]:
    labels: dict[str, dict[str, Any]] = {part: {} for part in config.parts}
    tasks = [(chunk, config) for chunk in _chunks(config.n, workers)]
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not progress) as bar:
        job = bar.add_task("scenes", total=config.n)
        if workers <= 1:
            with _single_threaded_cv2():
                results = map(_make_chunk, tasks)
                for done, merged in results:
                    for part, entries in merged.items():
                        labels[part].update(entries)
                    bar.advance(job, done)
        else:
            # spawn: the same behaviour on every OS, and no fork of a process holding threads.
            with multiprocessing.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
                for done, merged in pool.imap_unordered(_make_chunk, tasks):
                    for part, entries in merged.items():
                        labels[part].update(entries)
                    bar.advance(job, done)
    return labels


def _prepare(out: Path, parts: Sequence[str], overwrite: bool) -> None:
    for part in parts:
        root = out / part
        if root.exists() and any(root.iterdir()):
            if not overwrite:
                raise FileExistsError(
                    f"{root} already exists and is not empty; use --overwrite (overwrite=True) to replace it"
                )
            shutil.rmtree(root)
        (root / "images").mkdir(parents=True, exist_ok=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """One entry per line, keys sorted: readable, diffable, and byte-identical for the same seed."""
    lines = [f"{json.dumps(key)}: {json.dumps(data[key], sort_keys=True)}" for key in sorted(data)]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def generate(
    out: Path,
    n: int,
    kinds: Sequence[str] = KINDS,
    seed: int = 0,
    workers: int = 1,
    parts: Sequence[str] = PARTS,
    recognition_per_scene: int = 5,
    *,
    overwrite: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Render `n` scenes into docTR datasets under `out` (see the module docstring for the layout).

    Args:
        out: output folder; ``out/<part>/images`` + ``out/<part>/labels.json`` and ``out/manifest.json``.
        n: number of scenes (detection and e2e photos); recognition gets ``n * recognition_per_scene``.
        kinds: scene kinds, used in turn (sample i is ``kinds[i % len(kinds)]``).
        seed: the whole dataset's seed (>= 0).
        workers: processes; the files do not depend on it. Workers are spawned, so a script calling
            this with workers > 1 needs the usual ``if __name__ == "__main__":`` guard.
        parts: any of "detection", "recognition", "e2e".
        recognition_per_scene: crops per scene, each cut and degraded differently.
        overwrite: replace the requested parts' folders if they are not empty (else FileExistsError).
        progress: show a progress bar on stderr.

    Returns:
        The manifest written to ``out/manifest.json`` (seed, n, kinds, parts, versions, counts).

    Raises:
        ValueError: bad n, kind, part, seed or recognition_per_scene.
        FileExistsError: a part folder is not empty and `overwrite` is False.
    """
    config = GenerateConfig(
        out=str(Path(out).resolve()),
        n=int(n),
        kinds=tuple(dict.fromkeys(kinds)),  # duplicates would only skew the mix
        seed=int(seed),
        parts=tuple(dict.fromkeys(parts)),
        recognition_per_scene=int(recognition_per_scene),
    )
    out = Path(out)
    _prepare(out, config.parts, overwrite)
    labels = _run(config, max(1, int(workers)), progress)
    for part, entries in labels.items():
        _write_json(out / part / "labels.json", entries)
    manifest = _manifest(config, {part: len(entries) for part, entries in labels.items()})
    _write_json(out / "manifest.json", manifest)
    return manifest


def _manifest(config: GenerateConfig, counts: dict[str, int]) -> dict[str, Any]:
    import albumentations

    import vinreader

    return {
        "generator": "vinreader.synth",
        "generator_version": GENERATOR_VERSION,
        "vinreader_version": vinreader.__version__,
        "albumentations_version": albumentations.__version__,
        "seed": config.seed,
        "n": config.n,
        "kinds": list(config.kinds),
        "parts": list(config.parts),
        "recognition_per_scene": config.recognition_per_scene if "recognition" in config.parts else 0,
        "counts": counts,
        "file_names": "{kind}_{index:06d}.jpg (detection, e2e); {kind}_{index:06d}_{crop}.jpg (recognition)",
        "e2e": "hard links to the detection photos" if {"detection", "e2e"} <= set(config.parts) else None,
    }
