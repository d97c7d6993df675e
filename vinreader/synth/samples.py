"""Write the bundled sample images: ``python -m vinreader.synth.samples samples/``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from vinreader.synth.render import Scene, place_in_photo, render_plate, render_sticker
from vinreader.synth.strings import random_vin

JPEG_QUALITY = 90


def _sample_scenes(seed: int) -> dict[str, Callable[[np.random.Generator], Scene]]:
    """File name -> how to render it; each gets its own generator derived from `seed`."""

    def rotated(rng: np.random.Generator) -> Scene:
        sticker = render_sticker(random_vin(rng, "asia"), rng)
        return place_in_photo(sticker, rng, photo_size=(1600, 1200), angle=90.0, fill=0.85)

    return {
        "sticker_code39.jpg": lambda rng: render_sticker(random_vin(rng, "north_america"), rng, barcode="Code39"),
        "sticker_datamatrix.jpg": lambda rng: render_sticker(random_vin(rng, "europe"), rng, barcode="DataMatrix"),
        "plate.jpg": lambda rng: render_plate(random_vin(rng, "north_america"), rng),
        "sticker_rotated.jpg": rotated,
    }


def make_samples(out_dir: Path, seed: int = 7) -> dict[str, str]:
    """Render the sample images into `out_dir` as JPEGs plus ``labels.json`` (file -> VIN).

    Returns:
        The file -> VIN mapping written to ``labels.json``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels: dict[str, str] = {}
    for i, (name, make) in enumerate(_sample_scenes(seed).items()):
        scene = make(np.random.default_rng([seed, i]))
        Image.fromarray(scene.image).save(out_dir / name, quality=JPEG_QUALITY, optimize=True)
        labels[name] = scene.vin
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    return labels


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m vinreader.synth.samples OUT_DIR")
    for file, vin in make_samples(Path(sys.argv[1])).items():
        print(f"{file}\t{vin}")
