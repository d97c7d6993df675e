"""PyTorch networks (training only: install the `train` extra). Inference runs their ONNX exports."""
