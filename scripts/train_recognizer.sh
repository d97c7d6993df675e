#!/usr/bin/env bash
# Reproduce the shipped VIN recognizer (vinreader/weights/vin_crnn.onnx) on a 2-core CPU (~25 min).
# Data: real VIN boxes of ../shared/data/vin-detection-real/train (CC BY 4.0), labelled by the PP-OCR
# teacher; synthetic crops from `vinreader synth`; validation on ../shared/data/vin-real-dev/recognition.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
RUNS=${RUNS:-runs/recognizer}
SHARED=${SHARED:-../shared/data}
vinreader teacher-label "$SHARED/vin-detection-real/train" --out "$DATA/teacher-train" --min-confidence 0.9
vinreader synth --out "$DATA/synth-v1" --n 6000 --seed 2 --workers 2 --parts recognition --overwrite -q
common=(--train-path "$DATA/synth-v1/recognition:1" --train-path "$DATA/teacher-train:1"
        --val-path "$SHARED/vin-real-dev/recognition" --batch-size 32 --samples-per-epoch 8192 --output "$RUNS")
vinreader train recognizer "${common[@]}" --epochs 20 --lr 2e-3 --seed 0 --name synth-v1-real
vinreader export --checkpoint "$RUNS/synth-v1-real/best.pt" --out vinreader/weights/vin_crnn.onnx
