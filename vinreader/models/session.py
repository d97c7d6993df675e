"""One place that creates onnxruntime sessions, so every model gets the same CPU settings."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort


def onnx_session(weights: Path, threads: int = 0) -> ort.InferenceSession:
    """A CPU inference session; ``threads=0`` lets onnxruntime use every core."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(weights), sess_options=options, providers=["CPUExecutionProvider"])
