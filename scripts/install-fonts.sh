#!/usr/bin/env bash
# Install the fonts the synthetic-data generator draws from (vinreader/synth/fonts.py; licences in
# vinreader/synth/FONTS.md): Debian font packages (root, apt), then handwriting faces of the
# @fontsource npm packages (npm; their Latin WOFF files into /usr/share/fonts/fontsource). Packages
# that cannot be had are skipped: the generator uses whatever is installed and falls back to DejaVu alone.
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

# Handwriting faces from npm (fonts.FONTSOURCE_HANDS; tests/test_synth_scenes.py checks the two lists agree).
FONTSOURCE=(
  annie-use-your-telescope architects-daughter caveat caveat-brush chilanka covered-by-your-grace dekko
  edu-nsw-act-foundation edu-qld-beginner edu-sa-beginner edu-tas-beginner edu-vic-wa-nt-beginner
  fuzzy-bubbles gaegu gamja-flower gloria-hallelujah gochi-hand handlee hi-melody indie-flower kalam
  loved-by-the-king mansalva nanum-pen-script neucha nothing-you-could-do patrick-hand poor-story
  reenie-beanie shadows-into-light shadows-into-light-two sue-ellen-francisco the-girl-next-door
  waiting-for-the-sunrise coming-soon just-another-hand permanent-marker rock-salt schoolbell walter-turncoat
  amatic-sc delius delius-unicase finger-paint gluten grape-nuts hachi-maru-pop itim mali mynerve nanum-brush-script
  nerko-one pangolin patrick-hand-sc playpen-sans sedgwick-ave sriracha unkempt yomogi zen-kurenaido
  boogaloo briem-hand east-sea-dokdo grandstander liu-jian-mao-cao long-cang love-ya-like-a-sister pompiere
  rancho slackside-one sour-gummy sunshiney
  akaya-telivigala atma calligraffitti delicious-handrawn farsan kavivanar kristi margarine oregano
  protest-revolution square-peg yuji-boku zcool-kuaile
)
FONTSOURCE_VERSION=5.3.0
if ! command -v npm >/dev/null; then
  echo "install-fonts: npm not found; the @fontsource handwriting faces are skipped" >&2
  exit 0
fi
dest=/usr/share/fonts/fontsource
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
for name in "${FONTSOURCE[@]}"; do
  file="$name-latin-400-normal.woff"
  [ -f "$dest/$file" ] && continue
  if (cd "$tmp" && npm pack --silent "@fontsource/$name@$FONTSOURCE_VERSION" >/dev/null 2>&1) &&
     tar xzf "$tmp/fontsource-$name-$FONTSOURCE_VERSION.tgz" -C "$tmp" "package/files/$file"; then
    install -m 644 "$tmp/package/files/$file" "$dest/$file"
  else
    echo "install-fonts: @fontsource/$name@$FONTSOURCE_VERSION could not be fetched; skipped" >&2
  fi
done
