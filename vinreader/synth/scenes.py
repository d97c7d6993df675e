"""The scene kinds `vinreader synth` can render, behind one entry point.

Each kind is a close-up of where a VIN is found, with the things around it that are not the VIN:
``door_sticker``, ``windshield_plate``, ``stamped_metal``, ``document``.
"""

from __future__ import annotations

import numpy as np

from vinreader.synth.render import Scene, render_plate, render_sticker
from vinreader.synth.strings import random_vin

KINDS = ("door_sticker", "windshield_plate", "stamped_metal", "document")


def render_scene(kind: str, rng: np.random.Generator, vin: str | None = None) -> Scene:
    """A close-up scene of ``kind`` showing ``vin`` (a random realistic VIN when None)."""
    if kind not in KINDS:
        raise ValueError(f"unknown scene kind {kind!r}; known: {', '.join(KINDS)}")
    vin = vin or random_vin(rng)
    if kind == "door_sticker":
        barcode = [None, "Code39", "DataMatrix"][int(rng.integers(3))]
        return render_sticker(vin, rng, barcode=barcode)
    # Placeholder until each kind has its own renderer: plates stand in for the rest.
    return render_plate(vin, rng)
