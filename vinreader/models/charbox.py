"""Boxed-character classification on onnxruntime: normalised 32 x 32 glyphs -> probabilities over the VIN alphabet.

The model card (``vin_charbox.json``) holds the alphabet, the input size and channels and the
normalization, so the classifier is rebuilt from it alone; glyphs come from
`vinreader.boxes.glyph.normalize_glyph` (or `boxes.cell.normalize_cell`), the functions training used.
A one-channel model (the character only, as the first releases) reads the first channel of each glyph.
`MeanClassifier` (card arch ``charbox_mean``, e.g. the reader's default ``vin_charbox_mean``)
averages the probabilities of several such classifiers trained apart.

Example:
    >>> from vinreader.models.registry import build_classifier
    >>> classifier = build_classifier("vin_charbox")
    >>> import numpy as np
    >>> classifier(np.zeros((5, 2, 32, 32), np.uint8)).shape
    (5, 33)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vinreader.models.registry import build_members, register
from vinreader.models.session import onnx_session
from vinreader.vin import VIN_ALPHABET


@register("classifier", "charbox_onnx")
class CharClassifier:
    """A character classifier in ONNX: (N, channels, size, size) in, (N, len(alphabet)) softmax out."""

    def __init__(
        self,
        weights: Path,
        name: str = "charbox",
        alphabet: str = VIN_ALPHABET,
        size: int = 32,
        channels: int = 1,
        mean: float = 0.5,
        std: float = 0.5,
        threads: int = 0,
    ) -> None:
        if sorted(alphabet) != sorted(VIN_ALPHABET):
            raise ValueError(f"{weights}: the classifier's alphabet must be the 33 VIN characters, got {alphabet!r}")
        if channels not in (1, 2):
            raise ValueError(f"{weights}: a classifier reads 1 or 2 glyph channels, got {channels}")
        self.name, self.alphabet, self.size, self.channels = name, alphabet, size, channels
        self.mean, self.std = float(mean), float(std)
        self.session = onnx_session(weights, threads)
        self.input_name = self.session.get_inputs()[0].name
        # Columns reordered to VIN_ALPHABET order, whatever order the network was trained in.
        self.order = np.array([alphabet.index(c) for c in VIN_ALPHABET])

    def __call__(self, glyphs: np.ndarray) -> np.ndarray:
        """(N, 2, size, size) uint8 normalised glyphs -> (N, 33) probabilities in `VIN_ALPHABET` order.

        (N, size, size) glyphs (the character only, e.g. ink drawn alone) are taken as their own context.
        """
        glyphs = np.asarray(glyphs)
        if glyphs.ndim == 3:
            glyphs = glyphs[:, None]
        if glyphs.ndim != 4 or glyphs.shape[1] not in (1, 2) or glyphs.shape[2:] != (self.size, self.size):
            raise ValueError(f"expected (N, 2, {self.size}, {self.size}) glyphs, got {glyphs.shape}")
        if len(glyphs) == 0:
            return np.zeros((0, len(VIN_ALPHABET)), np.float32)
        glyphs = glyphs[:, : self.channels] if glyphs.shape[1] >= self.channels else np.repeat(glyphs, self.channels, 1)
        x = (glyphs.astype(np.float32) / 255.0 - self.mean) / self.std
        probs = self.session.run(None, {self.input_name: x})[0]
        return probs[:, self.order]


@register("classifier", "charbox_mean")
class MeanClassifier:
    """Several character classifiers (model names or card paths, see ``members``) averaging their probabilities.

    Classifiers trained apart (another seed, another bank) misread different boxes; the mean of their
    probabilities is read like one classifier's.

    Args:
        members: the classifiers, at least two; relative card paths are taken from the card's folder.
        weights: unused (a mean has no weights of its own; the registry passes the card's, if any).
        threads: onnxruntime threads of each member.
    """

    def __init__(self, members: list[str], weights: Path | None = None, name: str = "mean", threads: int = 0) -> None:
        self.name = name
        self.members = build_members("classifier", members, name, threads)
        self.size = self.members[0].size
        if any(member.size != self.size for member in self.members):
            raise ValueError(f"{name}: members read glyphs of different sizes")

    def __call__(self, glyphs: np.ndarray) -> np.ndarray:
        """Like `CharClassifier.__call__`: the members' probabilities averaged."""
        return np.mean([member(glyphs) for member in self.members], axis=0)
