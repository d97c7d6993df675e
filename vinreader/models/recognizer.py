"""Line recognition: a CTC network whose per-timestep probabilities are folded onto the VIN alphabet.

The recognizer never returns a string. It returns, for each crop, a (T, 35) matrix of probabilities
over ``[blank, 33 VIN characters, other]`` so that decoding (``vinreader.ctc``) can search for the
best *VIN* the network supports, instead of cleaning up the best *string*. A general recognizer's
classes are folded: lowercase onto uppercase, and the characters a VIN cannot hold onto the one it
must mean (O, Q -> 0; I -> 1), summing their probabilities.

The reader itself asks for ``read(crops)``: those readings already decoded, the one interface every
recognizer has (a vote of several, `models.voting`, has no single matrix to give).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from vinreader.ctc import DecodedVin, decode_vins
from vinreader.models.registry import register
from vinreader.models.session import onnx_session
from vinreader.vin import VIN_ALPHABET

BLANK, OTHER = 0, len(VIN_ALPHABET) + 1
N_CLASSES = len(VIN_ALPHABET) + 2
_CONFUSABLE = {"O": "0", "Q": "0", "I": "1"}


def fold_index(charset: list[str]) -> np.ndarray:
    """Map each network class (blank first, then ``charset``) to a VIN class index."""
    index = np.full(len(charset) + 1, OTHER, dtype=np.int64)
    index[0] = BLANK
    for i, char in enumerate(charset, start=1):
        upper = _CONFUSABLE.get(char.upper(), char.upper()) if len(char) == 1 else ""
        if upper and upper in VIN_ALPHABET:
            index[i] = VIN_ALPHABET.index(upper) + 1
    return index


def prepare_crop(
    crop: np.ndarray,
    height: int,
    width: int,
    channels: int = 3,
    mean: np.ndarray | float = 0.5,
    std: np.ndarray | float = 0.5,
    channel_order: str = "RGB",
) -> np.ndarray:
    """An RGB (or grey) uint8 crop -> (channels, height, width) float32 network input.

    The one preprocessing shared by inference and training, so what is trained is what runs.
    """
    if channels == 1:
        crop = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    elif crop.ndim == 2:
        crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB)
    shrink = crop.shape[1] > width
    resized = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    if channels == 1:
        resized = resized[:, :, None]
    elif channel_order == "BGR":
        resized = resized[:, :, ::-1]
    mean = np.asarray(mean, np.float32).reshape(-1, 1, 1)[:channels]
    std = np.asarray(std, np.float32).reshape(-1, 1, 1)[:channels]
    return (resized.astype(np.float32).transpose(2, 0, 1) / 255.0 - mean) / std


@register("recognizer", "ctc_onnx")
class CTCRecognizer:
    """A CTC line recognizer in ONNX: (N, 3, height, W) in, (N, T, classes) softmax out.

    Args:
        weights: the ONNX file.
        charset: the network's characters after the blank; None reads them from the ONNX metadata
            key ``character`` (PP-OCR's convention; a trailing space class is appended as PP-OCR does).
        height: input height in pixels.
        min_width, max_width: bounds of the resized crop width. A 17-character line needs enough
            timesteps (width / 8) for CTC to separate repeated characters, hence a minimum.
        stretch: horizontal stretch applied to the crop's natural width (measured, see model card).
    """

    def __init__(
        self,
        weights: Path,
        name: str = "ctc",
        charset: str | None = None,
        height: int = 48,
        min_width: int = 320,
        max_width: int = 960,
        stretch: float = 1.0,
        mean: tuple[float, float, float] = (0.5, 0.5, 0.5),
        std: tuple[float, float, float] = (0.5, 0.5, 0.5),
        channel_order: str = "BGR",
        channels: int = 3,
        threads: int = 0,
    ) -> None:
        if channels not in (1, 3):
            raise ValueError(f"{weights}: channels must be 1 (grey) or 3, got {channels}")
        self.name = name
        self.channels = channels
        self.session = onnx_session(weights, threads)
        self.input_name = self.session.get_inputs()[0].name
        if charset is None:
            meta = self.session.get_modelmeta().custom_metadata_map
            if "character" not in meta:
                raise ValueError(f"{weights}: no charset given and no 'character' metadata in the ONNX file")
            chars = meta["character"].split("\n") + [" "]
        else:
            chars = list(charset)
        fold = fold_index(chars)
        self.fold = np.zeros((len(fold), N_CLASSES), np.float32)
        self.fold[np.arange(len(fold)), fold] = 1.0
        self.height, self.min_width, self.max_width, self.stretch = height, min_width, max_width, stretch
        self.mean = np.asarray(mean, np.float32)
        self.std = np.asarray(std, np.float32)
        self.channel_order = channel_order

    def input_width(self, crop: np.ndarray) -> int:
        h, w = crop.shape[:2]
        natural = math.ceil(self.height * w / max(h, 1) * self.stretch)
        return int(min(max(natural, self.min_width), self.max_width))

    def _prepare(self, crop: np.ndarray, width: int, batch_width: int) -> np.ndarray:
        x = prepare_crop(crop, self.height, width, self.channels, self.mean, self.std, self.channel_order)
        padded = np.zeros((self.channels, self.height, batch_width), np.float32)
        padded[:, :, :width] = x
        return padded

    def read(self, crops: list[np.ndarray]) -> list[list[DecodedVin]]:
        """Per crop, every VIN reading its probabilities support, best path first (`ctc.decode_vins`)."""
        return [decode_vins(probs) for probs in self(crops)]

    def __call__(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Per-crop (T, 35) probabilities over [blank, VIN alphabet, other]; T depends on width."""
        widths = [self.input_width(c) for c in crops]
        results: list[np.ndarray] = [np.empty(0)] * len(crops)
        # Batch crops of similar width together: padding a short crop to a long one costs time.
        order = sorted(range(len(crops)), key=lambda i: widths[i])
        while order:
            batch = [i for i in order if widths[i] <= widths[order[0]] * 1.25]
            order = order[len(batch) :]
            for i, probs in zip(batch, self._run([crops[i] for i in batch], [widths[i] for i in batch]), strict=True):
                results[i] = probs
        return results

    def _run(self, crops: list[np.ndarray], widths: list[int]) -> list[np.ndarray]:
        batch_width = max(widths)
        batch = np.stack([self._prepare(c, w, batch_width) for c, w in zip(crops, widths, strict=True)])
        probs = self.session.run(None, {self.input_name: batch})[0]
        folded = probs @ self.fold
        steps = probs.shape[1]
        # Drop the timesteps that only saw padding.
        return [folded[i, : max(1, math.ceil(steps * w / batch_width))] for i, w in enumerate(widths)]
