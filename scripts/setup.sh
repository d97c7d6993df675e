#!/usr/bin/env bash
# Set vinreader up on a fresh machine (Python >= 3.11): the package with its training and test extras,
# and the Debian font packages the synthetic-data generator draws from (needs root; skipped otherwise:
# the generator then uses the DejaVu fonts alone).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f scripts/install-fonts.sh ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-fonts.sh >/dev/null || echo "setup: font packages not installed; synthetic data uses DejaVu only" >&2
fi
# torch is pinned to the CPU build in the `train` extra; reading VINs never needs it.
python -m pip install --quiet --disable-pip-version-check -e '.[train,dev]'
