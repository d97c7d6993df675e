"""ONNX export of a training checkpoint, with a parity check against PyTorch and a model card.

    vinreader export --checkpoint runs/recognizer/RUN/best.pt --out vinreader/weights/vin_crnn.onnx
    vinreader export --checkpoint runs/detector/RUN --out vinreader/weights/vin_dbnet.onnx

writes the ONNX file and, beside it, ``vin_crnn.json``: the model card the registry loads
(``build_recognizer("path/to/vin_crnn.json")`` or, inside ``vinreader/weights``, by name). A charbox
checkpoint (``vinreader train charbox``) gives a classifier card (``build_classifier``) the same way.
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


def _classifier_card(meta: dict[str, Any], weights: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "classifier",
        "arch": "charbox_onnx",
        "weights": weights,
        "config": {
            "alphabet": meta["alphabet"],
            "size": meta["input"]["height"],
            "channels": meta["input"]["channels"],
            "mean": meta["normalization"]["mean"][0],
            "std": meta["normalization"]["std"][0],
        },
    }


def _detector_card(meta: dict[str, Any], weights: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "detector",
        "arch": "dbnet_onnx",
        "weights": weights,
        "config": {
            "input_side": meta["input"]["side"],
            "mean": meta["normalization"]["mean"],
            "std": meta["normalization"]["std"],
            "channel_order": "RGB",
            **meta["postprocess"],
        },
    }


_CARDS = {"recognition": _recognizer_card, "charbox": _classifier_card, "detection": _detector_card}


def _export_spec(meta: dict[str, Any], net: nn.Module) -> tuple[nn.Module, tuple[int, ...], dict[str, Any]]:
    """(module to export, parity input shape, ONNX dynamic axes) of a checkpoint's task."""
    if meta.get("task") not in _CARDS:
        raise ValueError(f"export of task {meta.get('task')!r} is not supported; known: {sorted(_CARDS)}")
    if meta["task"] == "detection":
        side = meta["input"]["side"]
        # Height and width vary with the photo's aspect ratio (multiples of 32).
        dynamic = {"x": {0: "batch", 2: "height", 3: "width"}, "probs": {0: "batch", 2: "height", 3: "width"}}
        return net, (3, side, side), dynamic
    shape = meta["input"]
    dynamic = {"x": {0: "batch"}, "probs": {0: "batch"}}
    return _WithSoftmax(net), (shape["channels"], shape["height"], shape["width"]), dynamic


def halve_weights(path: str | Path) -> None:
    """Store the ONNX file's float32 weights as float16, each cast back to float32 in the graph.

    The file is half as large; onnxruntime folds the casts when it loads the model, so it computes in
    float32 as before, on weights rounded to float16 (the parity check of `export` measures the cost).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        weights = numpy_helper.to_array(init)
        if weights.dtype != np.float32 or weights.size < 16:  # scalars and tiny constants stay as they are
            continue
        half = numpy_helper.from_array(weights.astype(np.float16), f"{init.name}_fp16")
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def export(
    checkpoint: str | Path, out: str | Path, samples: int = 8, seed: int = 0, half_weights: bool = False
) -> dict[str, Any]:
    """Export ``checkpoint`` to ``out`` (.onnx) and write its model card; returns the parity report.

    Parity: the ONNX output on ``samples`` inputs (random, plus a blank crop) is compared with
    PyTorch's; the maximum absolute difference of the probabilities is reported. ``half_weights``:
    the weights are stored as float16 (`halve_weights`), the parity measured after.
    """
    out = Path(out)
    state = load_checkpoint(checkpoint)
    meta = state["meta"]
    net = build_net(meta["arch"], **meta["net_kwargs"])
    net.load_state_dict(state["model"])
    model, shape, dynamic = _export_spec(meta, net)
    model = model.eval()
    dummy = torch.zeros(1, *shape)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (dummy,), str(out), input_names=["x"], output_names=["probs"],
        dynamic_axes=dynamic, opset_version=17, dynamo=False,
    )  # fmt: skip
    if half_weights:
        halve_weights(out)
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(samples, *shape, generator=generator) * 2 - 1
    inputs[0] = 1.0  # a blank white input
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = model(inputs).numpy()
    got = session.run(None, {"x": inputs.numpy()})[0]
    report = {
        "onnx": str(out),
        "max_abs_diff": float(np.abs(expected - got).max()),
        "size_mb": out.stat().st_size / 1e6,
        "half_weights": half_weights,
    }
    card = _CARDS[meta["task"]](meta, out.name, out.stem)
    card["training"] = {"epoch": state.get("epoch"), "metrics": state.get("metrics"), "meta": meta}
    card["parity"] = report
    previous = out.with_suffix(".json")
    if out.with_suffix(".md").is_file():  # the human-written model card beside the weights
        card["card"] = out.with_suffix(".md").name
    elif previous.is_file() and "card" in (old := json.loads(previous.read_text())):
        card["card"] = old["card"]  # re-exported weights keep the card they are described in (a vote's members)
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return report
