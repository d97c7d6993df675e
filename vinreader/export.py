"""ONNX export of a training checkpoint, with a parity check against PyTorch and a model card.

    vinreader export --checkpoint runs/recognizer/RUN/best.pt --out vinreader/weights/vin_crnn.onnx

writes the ONNX file and, beside it, ``vin_crnn.json``: the model card the registry loads
(``build_recognizer("path/to/vin_crnn.json")`` or, inside ``vinreader/weights``, by name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from vinreader.nets.registry import build_net
from vinreader.training.run import load_checkpoint


class _WithSoftmax(nn.Module):
    """Inference outputs probabilities: what the reader's constrained decoding consumes."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).softmax(-1)


def _recognizer_card(meta: dict[str, Any], weights: str, name: str) -> dict[str, Any]:
    shape = meta["input"]
    return {
        "name": name,
        "kind": "recognizer",
        "arch": "ctc_onnx",
        "weights": weights,
        "config": {
            "charset": meta["alphabet"],
            "height": shape["height"],
            "min_width": shape["width"],
            "max_width": shape["width"],
            "channels": shape["channels"],
            "mean": meta["normalization"]["mean"] * 3,
            "std": meta["normalization"]["std"] * 3,
            "channel_order": "RGB",
        },
    }


def export(checkpoint: str | Path, out: str | Path, samples: int = 8, seed: int = 0) -> dict[str, Any]:
    """Export ``checkpoint`` to ``out`` (.onnx) and write its model card; returns the parity report.

    Parity: the ONNX output on ``samples`` inputs (random, plus a blank crop) is compared with
    PyTorch's; the maximum absolute difference of the probabilities is reported.
    """
    out = Path(out)
    state = load_checkpoint(checkpoint)
    meta = state["meta"]
    if meta.get("task") != "recognition":
        raise ValueError(f"{checkpoint}: export of task {meta.get('task')!r} is not supported yet")
    net = build_net(meta["arch"], **meta["net_kwargs"])
    net.load_state_dict(state["model"])
    model = _WithSoftmax(net).eval()
    shape = meta["input"]
    dummy = torch.zeros(1, shape["channels"], shape["height"], shape["width"])
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (dummy,), str(out), input_names=["x"], output_names=["probs"],
        dynamic_axes={"x": {0: "batch"}, "probs": {0: "batch"}}, opset_version=17, dynamo=False,
    )  # fmt: skip
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(samples, shape["channels"], shape["height"], shape["width"], generator=generator) * 2 - 1
    inputs[0] = 1.0  # a blank white crop
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = model(inputs).numpy()
    got = session.run(None, {"x": inputs.numpy()})[0]
    report = {
        "onnx": str(out),
        "max_abs_diff": float(np.abs(expected - got).max()),
        "size_mb": out.stat().st_size / 1e6,
    }
    card = _recognizer_card(meta, out.name, out.stem)
    card["training"] = {"epoch": state.get("epoch"), "metrics": state.get("metrics"), "meta": meta}
    card["parity"] = report
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return report
