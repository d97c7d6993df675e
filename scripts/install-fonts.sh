#!/usr/bin/env bash
# Install the Debian font packages the synthetic-data generator draws from (vinreader/synth/fonts.py;
# licences in vinreader/synth/FONTS.md). Needs root and apt. Packages the archive does not have are
# skipped: the generator uses whatever is installed and falls back to DejaVu alone.
set -euo pipefail
PACKAGES=(
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-liberation2 fonts-freefont-ttf
  fonts-urw-base35 fonts-roboto-unhinted fonts-opendin fonts-osifont
  fonts-ocr-a fonts-ocr-b fonts-jetbrains-mono fonts-inconsolata fonts-b612 fonts-league-mono
  fonts-noto-mono fonts-3270 fonts-gnutypewriter
  fonts-dseg fonts-dotgothic16 fonts-humor-sans fonts-dkg-handwriting
  # for characters written in boxes (synth/forms.py, the charbox classifier): fonts.BOX_FONTS
  fonts-comic-neue fonts-tlwg-purisa-ttf fonts-breip fonts-cantarell fonts-lato fonts-open-sans
  fonts-hack fonts-go fonts-sil-andika fonts-rufscript fonts-sjfonts fonts-bwht fonts-seto
  fonts-tomsontalks fonts-klee fonts-yusei-magic
)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
available=()
for package in "${PACKAGES[@]}"; do
  if apt-cache show "$package" >/dev/null 2>&1; then
    available+=("$package")
  else
    echo "install-fonts: $package is not in the archive; skipped" >&2
  fi
done
apt-get install -y -qq --no-install-recommends "${available[@]}"
