#!/usr/bin/env bash
# Reproduce the shipped VIN recognizers on a 2-core CPU (~55 min): vin_crnn and the two other members
# of the vote vin_crnn_vote (vin_crnn_s1: another seed; vin_crnn_tilt: lines tilted in 30% of the crops).
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
        --val-path "$SHARED/vin-real-dev/recognition" --batch-size 32 --samples-per-epoch 8192 --output "$RUNS"
        --epochs 20 --lr 2e-3)
vinreader train recognizer "${common[@]}" --seed 0 --name synth-v1-real
vinreader export --checkpoint "$RUNS/synth-v1-real/best.pt" --out vinreader/weights/vin_crnn.onnx
vinreader train recognizer "${common[@]}" --seed 1 --name card-seed1
vinreader export --checkpoint "$RUNS/card-seed1/best.pt" --out vinreader/weights/vin_crnn_s1.onnx
vinreader train recognizer "${common[@]}" --seed 0 --tilt 0.3 --name tilt
vinreader export --checkpoint "$RUNS/tilt/best.pt" --out vinreader/weights/vin_crnn_tilt.onnx
