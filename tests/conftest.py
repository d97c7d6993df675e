"""Shared fixtures: one reader per test session (models load once), rendered VIN images."""

from __future__ import annotations

import numpy as np
import pytest

from vinreader import VinReader
from vinreader.synth.render import render_sticker
from vinreader.synth.strings import random_vin


@pytest.fixture(scope="session")
def reader() -> VinReader:
    return VinReader()


@pytest.fixture(scope="session")
def sticker():
    """A rendered door sticker (no barcode) with a North American VIN."""
    rng = np.random.default_rng(11)
    return render_sticker(random_vin(rng, region="north_america"), rng, barcode=None)
