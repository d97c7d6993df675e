"""`--init` from a shipped ONNX model: the rebuilt PyTorch network computes what onnxruntime computes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vinreader.nets.registry import build_net
from vinreader.synth.scenes import render_scene
from vinreader.training.onnx_init import init_arch, initialise, load_onnx_weights, onnx_path_of


def _photos(n: int, side: int) -> torch.Tensor:
    """Rendered scenes as the detector sees them (real-looking inputs for the BatchNorm statistics)."""
    from vinreader.models.detector import prepare_image

    images = [render_scene("door_sticker", np.random.default_rng(i)).image for i in range(n)]
    return torch.from_numpy(np.stack([prepare_image(im, (side, side), (0.5,) * 3, (0.5,) * 3) for im in images]))


def test_shipped_detector_rebuilds_exactly_and_stays_close_in_training_mode():
    # The network --init vin_dbnet builds when no --arch is given: the shipped model's own.
    model = build_net(init_arch("vin_dbnet", default="no_such_arch"))
    inputs = _photos(6, 256)
    report = load_onnx_weights(model, onnx_path_of("vin_dbnet"), inputs)
    assert report["max_abs_diff"] < 1e-4
    # Only the training-only threshold head is absent from the exported graph.
    assert report["missing"] and all(name.startswith("thresh_head") for name in report["missing"])
    # In training mode BatchNorm uses the batch's statistics, measured above on the same inputs.
    with torch.no_grad():
        train_prob = model.train()(inputs)["prob"]
        eval_prob = model.eval()(inputs)
    assert float((train_prob - eval_prob).abs().mean()) < 0.05


def test_shipped_recognizer_rebuilds_with_its_lstm_and_head():
    model = build_net("crnn_vin", num_classes=34, in_channels=1)
    inputs = _photos(6, 256)[:, :1, :32, :256]  # grey 32 x 256 strips of the rendered scenes
    report = load_onnx_weights(model, onnx_path_of("vin_crnn"), inputs)
    assert report["max_abs_diff"] < 1e-4 and report["missing"] == []


def test_initialise_rejects_another_architecture():
    model = build_net("dbnet_vin_tiny")
    with pytest.raises(ValueError, match="vin_dbnet"):
        initialise(model, "vin_dbnet", lambda: _photos(2, 256), log=lambda _: None)


def test_onnx_path_of_names_cards_and_files(tmp_path):
    assert onnx_path_of("vin_dbnet").name == "vin_dbnet.onnx"
    assert onnx_path_of(tmp_path / "best.pt") is None and onnx_path_of(tmp_path) is None
    assert onnx_path_of("no_such_model") is None


def test_init_arch_reads_the_weights_own_architecture(tmp_path):
    assert init_arch("vin_crnn", default="x") == "crnn_vin"
    assert init_arch(onnx_path_of("vin_crnn"), default="x") == "crnn_vin"  # the card beside the file
    assert init_arch(None, default="dbnet_vin") == "dbnet_vin"
    lone = tmp_path / "model.onnx"
    lone.write_bytes(b"")
    assert init_arch(lone, default="dbnet_vin") == "dbnet_vin"  # no card beside it: the default
