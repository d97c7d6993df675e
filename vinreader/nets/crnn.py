"""CRNN line recognizer for VINs: a small CNN, a BiLSTM and a CTC head over [blank + VIN alphabet].

Input (N, 1, H, W) grey crops, H = 32 or 48 and W = 256 for a 17-character line: the CNN keeps a
horizontal stride of 4, so the LSTM sees W/4 = 64 timesteps, ~3.8 per character — enough for CTC to put
a blank between repeated characters. (docTR's 32x128 input gives 32 timesteps: too few for 17
characters.) A taller input keeps more pixels for the VIN when the crop also holds the lines above and
below it, as loose detector boxes on door stickers do.
"""

from __future__ import annotations

import torch
from torch import nn

from vinreader.nets.registry import register_net


def _conv(cin: int, cout: int, kernel: int | tuple[int, int] = 3, padding: int | tuple[int, int] = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class CRNN(nn.Module):
    """CNN (height H -> 1, width / 4) + BiLSTM + linear CTC head."""

    def __init__(
        self,
        channels: tuple[int, int, int, int],
        hidden: int,
        num_classes: int,
        in_channels: int = 1,
        height: int = 32,
    ) -> None:
        super().__init__()
        if height % 16:
            raise ValueError(f"input height {height}: must be a multiple of 16")
        c1, c2, c3, c4 = channels
        self.features = nn.Sequential(
            _conv(in_channels, c1),
            nn.MaxPool2d(2),  # H/2 x W/2
            _conv(c1, c2),
            nn.MaxPool2d(2),  # H/4 x W/4
            _conv(c2, c3),
            _conv(c3, c3),
            nn.MaxPool2d((2, 1)),  # H/8 x W/4
            _conv(c3, c4),
            _conv(c4, c4),
            nn.MaxPool2d((2, 1)),  # H/16 x W/4
            _conv(c4, c4, kernel=(height // 16, 1), padding=0),  # 1 x W/4
        )
        self.rnn = nn.LSTM(c4, hidden, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, W/4, classes) logits."""
        features = self.features(x).squeeze(2).permute(0, 2, 1)
        sequence, _ = self.rnn(features)
        return self.head(sequence)


@register_net("crnn_vin")
def crnn_vin(num_classes: int = 34, in_channels: int = 1, height: int = 32) -> CRNN:
    """The shipped size: ~0.3 M parameters, ~3 ms per crop on one CPU thread."""
    return CRNN((16, 32, 64, 96), hidden=64, num_classes=num_classes, in_channels=in_channels, height=height)


@register_net("crnn_vin_tiny")
def crnn_vin_tiny(num_classes: int = 34, in_channels: int = 1, height: int = 32) -> CRNN:
    """For tests: trains a few steps in seconds."""
    return CRNN((8, 16, 16, 24), hidden=16, num_classes=num_classes, in_channels=in_channels, height=height)


@register_net("crnn_vin_m")
def crnn_vin_m(num_classes: int = 34, in_channels: int = 1, height: int = 32) -> CRNN:
    """Wider: ~0.7 M parameters, still a few ms per crop on one CPU thread."""
    return CRNN((24, 48, 96, 128), hidden=96, num_classes=num_classes, in_channels=in_channels, height=height)
