"""A small CNN that classifies one boxed character (32 x 32 grey, white on black) into the 33 VIN characters.

Five convolutions in three stages (32 -> 16 -> 8 -> 4 px) and a small fully connected head: ~0.2 M
parameters, 0.8 MB as float32 ONNX, well under a millisecond per character on one CPU thread.
"""

from __future__ import annotations

import torch
from torch import nn

from vinreader.nets.registry import register_net


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CharCNN(nn.Module):
    """(N, 1, 32, 32) -> (N, num_classes) logits."""

    def __init__(self, channels: tuple[int, int, int], hidden: int, num_classes: int, in_channels: int = 1) -> None:
        super().__init__()
        c1, c2, c3 = channels
        self.features = nn.Sequential(
            _conv(in_channels, c1),
            nn.MaxPool2d(2),  # 16: one conv at full size, where every channel costs the most
            _conv(c1, c2),
            _conv(c2, c2),
            nn.MaxPool2d(2),  # 8
            _conv(c2, c3),
            _conv(c3, c3),
            nn.MaxPool2d(2),  # 4
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.3), nn.Linear(c3 * 16, hidden), nn.ReLU(inplace=True), nn.Dropout(0.3),
            nn.Linear(hidden, num_classes),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@register_net("charbox_cnn")
def charbox_cnn(num_classes: int = 33, in_channels: int = 1) -> CharCNN:
    """The shipped size: ~0.2 M parameters, ~7 M multiply-adds per character."""
    return CharCNN((16, 32, 64), hidden=128, num_classes=num_classes, in_channels=in_channels)


@register_net("charbox_cnn_m")
def charbox_cnn_m(num_classes: int = 33, in_channels: int = 1) -> CharCNN:
    """Wider (24-48-96 channels): ~0.36 M parameters, 1.4 MB as float32 ONNX, ~2x the shipped size's compute."""
    return CharCNN((24, 48, 96), hidden=128, num_classes=num_classes, in_channels=in_channels)


@register_net("charbox_cnn_tiny")
def charbox_cnn_tiny(num_classes: int = 33, in_channels: int = 1) -> CharCNN:
    """For tests: trains a few steps in a second."""
    return CharCNN((4, 8, 8), hidden=16, num_classes=num_classes, in_channels=in_channels)
