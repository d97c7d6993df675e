"""DBNet-style text detector for the VIN line: a small backbone, an FPN neck and two map heads.

The network maps an (N, 3, H, W) image (H, W multiples of 32) to a text probability map at full input
resolution. In training it also gives a threshold map and their differentiable binarization
``1 / (1 + exp(-k (P - T)))`` (Liao et al., "Real-time Scene Text Detection with Differentiable
Binarization", 2020); in eval mode it gives the probability map alone, which is what is exported to
ONNX and post-processed by ``vinreader.models.detector.DBPostProcessor``.

The backbone is a plain 5-stage CNN sized for one short line on a small photo: ~0.2 M parameters in
``dbnet_vin``, a few ms per 256x256 image on one CPU thread.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vinreader.nets.registry import register_net

# Differentiable binarization steepness (the paper's k).
DB_K = 50.0


def _conv_bn(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class ConvBlock(nn.Module):
    """3x3 conv + BN + ReLU; residual when the shape is kept.

    Plain convolutions rather than depthwise-separable ones: on a CPU, PyTorch trains dense 3x3
    convolutions several times faster per FLOP, and the network is small enough either way.
    """

    def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
        super().__init__()
        self.body = _conv_bn(cin, cout, 3, stride)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y


class Backbone(nn.Module):
    """Features at strides 4, 8, 16 and 32."""

    def __init__(self, widths: tuple[int, int, int, int, int], depths: tuple[int, int, int, int]) -> None:
        super().__init__()
        stem, *stage_widths = widths
        self.stem = _conv_bn(3, stem, 3, 2)  # stride 2
        self.stages = nn.ModuleList()
        cin = stem
        for cout, depth in zip(stage_widths, depths, strict=True):
            blocks = [ConvBlock(cin, cout, stride=2)] + [ConvBlock(cout, cout) for _ in range(depth - 1)]
            self.stages.append(nn.Sequential(*blocks))
            cin = cout
        self.out_channels = tuple(stage_widths)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features


class FPNNeck(nn.Module):
    """Top-down feature pyramid; every level upsampled to stride 4 and concatenated (as in DBNet)."""

    def __init__(self, in_channels: tuple[int, ...], channels: int) -> None:
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, channels, 1, bias=False) for c in in_channels)
        self.smooth = nn.ModuleList(_conv_bn(channels, channels // 4) for _ in in_channels)
        self.out_channels = channels // 4 * len(in_channels)

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        laterals = [conv(f) for conv, f in zip(self.lateral, features, strict=True)]
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + F.interpolate(laterals[i], size=laterals[i - 1].shape[-2:])
        size = laterals[0].shape[-2:]
        outs = [
            F.interpolate(s(x), size=size) if i else s(x)
            for i, (s, x) in enumerate(zip(self.smooth, laterals, strict=True))
        ]
        return torch.cat(outs, dim=1)


class MapHead(nn.Module):
    """Stride-4 features -> a full-resolution map in [0, 1] (two x2 upsamplings)."""

    def __init__(self, cin: int, hidden: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _conv_bn(cin, hidden),
            nn.ConvTranspose2d(hidden, hidden, 2, 2, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
            nn.ConvTranspose2d(hidden, 1, 2, 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.body(x))


class DBNet(nn.Module):
    """Backbone + FPN + probability head (+ threshold head, used only in training)."""

    def __init__(
        self, widths: tuple[int, int, int, int, int], depths: tuple[int, int, int, int], neck: int, head: int
    ) -> None:
        super().__init__()
        self.backbone = Backbone(widths, depths)
        self.neck = FPNNeck(self.backbone.out_channels, neck)
        self.prob_head = MapHead(self.neck.out_channels, head)
        self.thresh_head = MapHead(self.neck.out_channels, head)

    def forward(self, x: torch.Tensor) -> torch.Tensor | dict[str, torch.Tensor]:
        """(N, 3, H, W) -> probability map (N, 1, H, W); in training a dict with the three maps."""
        features = self.neck(self.backbone(x))
        prob = self.prob_head(features)
        if not self.training:
            return prob
        thresh = self.thresh_head(features)
        return {"prob": prob, "thresh": thresh, "binary": torch.sigmoid(DB_K * (prob - thresh))}


@register_net("dbnet_vin")
def dbnet_vin() -> DBNet:
    """The shipped size: ~0.2 M parameters (ONNX < 1 MB)."""
    return DBNet(widths=(16, 24, 32, 64, 96), depths=(1, 2, 2, 1), neck=64, head=16)


@register_net("dbnet_vin_m")
def dbnet_vin_m() -> DBNet:
    """Wider and deeper: ~0.5 M parameters, ~1.2x the shipped size's time per image (the 0.2 M network
    misses VINs on crowded US labels that a larger capacity may learn)."""
    return DBNet(widths=(16, 32, 48, 96, 128), depths=(1, 2, 2, 2), neck=64, head=16)


@register_net("dbnet_vin_tiny")
def dbnet_vin_tiny() -> DBNet:
    """For tests: trains a few steps in seconds."""
    return DBNet(widths=(8, 8, 16, 16, 24), depths=(1, 1, 1, 1), neck=16, head=8)
