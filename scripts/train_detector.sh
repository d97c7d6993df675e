#!/usr/bin/env bash
# Reproduce the shipped VIN-only detector (vinreader/weights/vin_dbnet.onnx) on a 2-core CPU (~60 min).
# Data: ../shared/data/vin-detection-real/train (CC BY 4.0, "Vin detection" by kirill-sergeev, Roboflow
# Universe) sampled twice as often as synthetic scenes from `vinreader synth`; validation on .../valid.
# Three stages (8, 18 and 30 epochs, each starting from the previous best); then the post-processing
# thresholds are chosen by end-to-end exact match on the real dev photos and written into the card.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
RUNS=${RUNS:-runs/detector}
SHARED=${SHARED:-../shared/data}
vinreader synth --out "$DATA/synth-bench" --n 2000 --seed 0 --workers 2 --parts detection --overwrite -q
common=(--train-path "$SHARED/vin-detection-real/train:2" --train-path "$DATA/synth-bench/detection:1"
        --val-path "$SHARED/vin-detection-real/valid" --samples-per-epoch 2400 --batch-size 16 --output "$RUNS")
vinreader train detector "${common[@]}" --epochs 8 --lr 3e-3 --name vin_dbnet_v1
vinreader train detector "${common[@]}" --epochs 18 --lr 3e-3 --init "$RUNS/vin_dbnet_v1/best.pt" --name vin_dbnet_v2
vinreader train detector "${common[@]}" --epochs 30 --lr 2e-3 --init "$RUNS/vin_dbnet_v2/best.pt" --name vin_dbnet_v3
vinreader export --checkpoint "$RUNS/vin_dbnet_v3/best.pt" --out vinreader/weights/vin_dbnet.onnx
vinreader tune-unclip --val-path "$SHARED/vin-real-dev/e2e" --detector vin_dbnet
