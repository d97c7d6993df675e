"""Synthetic VIN labels: random realistic VINs and rendered stickers, plates and phone photos.

Example:
    >>> import numpy as np
    >>> from vinreader.synth import random_vin, render_sticker
    >>> rng = np.random.default_rng(0)
    >>> scene = render_sticker(random_vin(rng, "north_america"), rng, barcode="Code39")
    >>> scene.image.shape, scene.polygon  # RGB array and the VIN line's corners
"""

from vinreader.synth.render import Scene, place_in_photo, render_plate, render_sticker
from vinreader.synth.strings import random_vin

__all__ = ["Scene", "place_in_photo", "random_vin", "render_plate", "render_sticker"]
