"""Start a training run from a shipped ONNX model: rebuild its PyTorch weights from the ONNX graph.

We ship ONNX files, not PyTorch checkpoints, so ``--init vin_dbnet`` (a model name, a card or an
``.onnx`` file of one of our own architectures) must turn an exported graph back into a
``state_dict``. Three things differ between the two:

- **Conv + BatchNorm were folded** by the exporter into one convolution with a bias. We put the folded
  weight back in the convolution and give the BatchNorm the statistics of that convolution's output,
  measured on a few real inputs: in eval mode the pair then computes exactly the folded convolution,
  and in training mode, where BatchNorm normalises by the batch's own statistics, nearly so.
- **LSTM weights** are stored as ONNX ``W, R, B`` with the gates in i, o, f, c order; PyTorch wants
  ``weight_ih, weight_hh, bias_ih, bias_hh`` in i, f, g(c), o order.
- Layers used only in training (the DBNet threshold head) are not in the graph and keep their fresh
  initialisation.

The rebuilt network is checked against onnxruntime on the calibration inputs before training starts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

PARITY_TOLERANCE = 1e-3


def onnx_path_of(init: str | Path) -> Path | None:
    """The ONNX file ``init`` names (a shipped model name, a card JSON, an .onnx), or None."""
    from vinreader.models.registry import load_card, resolve_weights

    path = Path(init)
    if path.suffix == ".onnx":
        return path if path.is_file() else None
    if path.suffix == ".pt" or path.is_dir():
        return None
    try:
        card, base_dir = load_card(init)
    except ValueError:
        return None
    return resolve_weights(card["weights"], base_dir)


def init_arch(init: str | Path | None, default: str) -> str:
    """The architecture ``--init``'s weights were trained as (a checkpoint's or card's own), else ``default``.

    So ``--init vin_dbnet`` builds whatever network the shipped ``vin_dbnet`` is, without ``--arch``.
    An ``.onnx`` file uses the card beside it (same name, ``.json``) when there is one.
    """
    from vinreader.models.registry import load_card
    from vinreader.training.run import load_checkpoint

    if init is None:
        return default
    path = Path(init)
    if path.suffix == ".pt" or path.is_dir():
        return str(load_checkpoint(path)["meta"].get("arch", default))
    card_name: str | Path = path.with_suffix(".json") if path.suffix == ".onnx" else init
    try:
        card, _ = load_card(card_name)
    except ValueError:
        return default
    return str(card.get("training", {}).get("meta", {}).get("arch", default))


def initialise(model: nn.Module, init: str | Path, calibration: Callable[[], torch.Tensor], log: Any = print) -> None:
    """``--init``: weights from a training checkpoint (.pt or run folder) or from a shipped ONNX model.

    ``calibration`` gives a few real network inputs; it is called only for an ONNX start.
    """
    from vinreader.training.run import load_checkpoint

    onnx_file = onnx_path_of(init)
    if onnx_file is None:
        model.load_state_dict(load_checkpoint(init)["model"])
        log(f"initialised from checkpoint {init}")
        return
    report = load_onnx_weights(model, onnx_file, calibration())
    if report["max_abs_diff"] > PARITY_TOLERANCE:
        raise ValueError(
            f"--init {init}: {onnx_file} does not match the architecture being trained "
            f"(max abs difference {report['max_abs_diff']:.2g} against onnxruntime)"
        )
    fresh = f"; trained from scratch: {', '.join(report['missing'])}" if report["missing"] else ""
    log(f"initialised from {onnx_file} (parity {report['max_abs_diff']:.1e}){fresh}")


def _lstm_gates_to_torch(block: np.ndarray, hidden: int) -> np.ndarray:
    """ONNX gate order (i, o, f, c) -> PyTorch (i, f, g, o) along the first axis."""
    i, o, f, c = (block[k * hidden : (k + 1) * hidden] for k in range(4))
    return np.concatenate([i, f, c, o])


def _lstm_state(lstm: nn.LSTM, w: np.ndarray, r: np.ndarray, b: np.ndarray) -> dict[str, torch.Tensor]:
    hidden = lstm.hidden_size
    state = {}
    for direction, suffix in enumerate(["", "_reverse"][: 2 if lstm.bidirectional else 1]):
        state[f"weight_ih_l0{suffix}"] = _lstm_gates_to_torch(w[direction], hidden)
        state[f"weight_hh_l0{suffix}"] = _lstm_gates_to_torch(r[direction], hidden)
        state[f"bias_ih_l0{suffix}"] = _lstm_gates_to_torch(b[direction][: 4 * hidden], hidden)
        state[f"bias_hh_l0{suffix}"] = _lstm_gates_to_torch(b[direction][4 * hidden :], hidden)
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


def _execution_order(model: nn.Module, example: torch.Tensor, kinds: tuple[type, ...]) -> list[nn.Module]:
    """Modules of the given kinds in the order a forward pass calls them."""
    order: list[nn.Module] = []
    hooks = [m.register_forward_hook(lambda m, *_: order.append(m)) for m in model.modules() if isinstance(m, kinds)]
    with torch.no_grad():
        model.eval()(example)
    for hook in hooks:
        hook.remove()
    return order


def _following_batchnorms(model: nn.Module) -> dict[nn.Module, nn.BatchNorm2d]:
    """Each convolution that a BatchNorm directly follows in an nn.Sequential."""
    pairs = {}
    for module in model.modules():
        if isinstance(module, nn.Sequential):
            children = list(module)
            for first, second in zip(children, children[1:], strict=False):
                if isinstance(first, nn.Conv2d) and isinstance(second, nn.BatchNorm2d):
                    pairs[first] = second
    return pairs


def load_onnx_weights(model: nn.Module, onnx_file: str | Path, calibration: torch.Tensor) -> dict[str, Any]:
    """Fill ``model`` (same architecture as the export) with the weights of ``onnx_file``.

    Args:
        model: a freshly built network of the architecture that was exported.
        onnx_file: the exported graph.
        calibration: a few real network inputs (N, C, H, W): BatchNorm statistics are measured on them
            and the parity check runs on them.

    Returns:
        ``{"max_abs_diff": ..., "missing": [...]}``: the parity against onnxruntime and the parameters
        that the graph does not hold (trained from scratch).
    """
    graph = onnx.load(str(onnx_file)).graph
    initializers = {t.name: numpy_helper.to_array(t).copy() for t in graph.initializer}
    state = model.state_dict()
    # Recognizers and classifiers are exported inside a softmax wrapper: their names start with "net.".
    loaded: dict[str, torch.Tensor] = {
        k.removeprefix("net."): torch.from_numpy(v) for k, v in initializers.items() if k.removeprefix("net.") in state
    }
    names = {m: name for name, m in model.named_modules()}

    # Linear layers are exported as MatMul with the transposed weight (their bias keeps its name).
    matmuls = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in initializers]
    called = _execution_order(model, calibration[:1], (nn.Linear, nn.Conv2d))
    linears = [m for m in called if isinstance(m, nn.Linear)]
    for linear, node in zip(linears, matmuls, strict=True):
        loaded[f"{names[linear]}.weight"] = torch.from_numpy(initializers[node.input[1]].T.copy())

    convs_in_graph = [n for n in graph.node if n.op_type == "Conv" and n.input[1].removeprefix("net.") not in state]
    folded = [m for m in called if isinstance(m, nn.Conv2d) and f"{names[m]}.weight" not in loaded]
    if len(folded) != len(convs_in_graph):
        raise ValueError(f"{onnx_file}: {len(convs_in_graph)} folded convolutions, the model has {len(folded)}")
    batchnorms = _following_batchnorms(model)
    folded_bias: dict[nn.Module, np.ndarray] = {}
    for conv, node in zip(folded, convs_in_graph, strict=True):
        weight = initializers[node.input[1]]
        if tuple(weight.shape) != tuple(conv.weight.shape):
            raise ValueError(f"{onnx_file}: {node.input[1]} is {weight.shape}, {names[conv]} is {conv.weight.shape}")
        loaded[f"{names[conv]}.weight"] = torch.from_numpy(weight)
        bias = initializers[node.input[2]] if len(node.input) > 2 else np.zeros(weight.shape[0], np.float32)
        if conv in batchnorms:
            folded_bias[conv] = bias
        elif conv.bias is not None:
            loaded[f"{names[conv]}.bias"] = torch.from_numpy(bias)

    lstm_nodes = [n for n in graph.node if n.op_type == "LSTM"]
    lstms = [m for m in model.modules() if isinstance(m, nn.LSTM)]
    for lstm, node in zip(lstms, lstm_nodes, strict=True):
        w, r, b = (initializers[name] for name in node.input[1:4])
        loaded.update({f"{names[lstm]}.{k}": v for k, v in _lstm_state(lstm, w, r, b).items()})

    model.load_state_dict({**state, **loaded})
    _calibrate_batchnorms(model, batchnorms, folded_bias, calibration)
    loaded_names = set(loaded) | {
        f"{names[bn]}.{p}" for c, bn in batchnorms.items() if c in folded_bias for p in bn.state_dict()
    }
    missing = sorted({k.rsplit(".", 1)[0] for k in state if k not in loaded_names and "num_batches" not in k})
    softmax = graph.node[-1].op_type == "Softmax"  # recognizers and classifiers export their softmax
    return {"max_abs_diff": _parity(model, onnx_file, calibration, softmax), "missing": missing}


def _calibrate_batchnorms(
    model: nn.Module,
    batchnorms: dict[nn.Module, nn.BatchNorm2d],
    folded_bias: dict[nn.Module, np.ndarray],
    calibration: torch.Tensor,
) -> None:
    """Make each BatchNorm(conv(x)) equal the folded conv(x), with the BN's statistics taken from real data.

    First every BatchNorm is the identity plus the folded bias (exact in eval mode), so one forward pass
    shows each convolution the inputs it really gets; then each BatchNorm takes the mean and variance of
    its convolution's output and scales back by them, which leaves eval mode exact.
    """
    model.eval()
    for conv, bias in folded_bias.items():
        bn = batchnorms[conv]
        bn.weight.data.fill_(1.0)
        bn.bias.data.copy_(torch.from_numpy(bias))
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)
    outputs: dict[nn.Module, torch.Tensor] = {}
    hooks = [c.register_forward_hook(lambda m, _, out: outputs.__setitem__(m, out)) for c in folded_bias]
    with torch.no_grad():
        model(calibration)
    for hook in hooks:
        hook.remove()
    for conv, bias in folded_bias.items():
        bn, out = batchnorms[conv], outputs[conv]
        mean = out.mean(dim=(0, 2, 3))
        var = out.var(dim=(0, 2, 3), unbiased=False).clamp_min(1e-4)
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var - bn.eps)
        bn.weight.data.copy_(var.sqrt())
        bn.bias.data.copy_(mean + torch.from_numpy(bias))


def _parity(model: nn.Module, onnx_file: str | Path, inputs: torch.Tensor, softmax: bool) -> float:
    """Max abs difference between onnxruntime and the rebuilt network (probabilities for both when ``softmax``)."""
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    model.eval()
    worst = 0.0
    with torch.no_grad():
        for x in inputs:
            expected = session.run(None, {name: x[None].numpy()})[0]
            got = model(x[None])
            got = got.softmax(-1) if softmax else got
            worst = max(worst, float(np.abs(got.numpy() - expected).max()))
    return worst
