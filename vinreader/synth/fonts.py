"""The fonts synthetic scenes print with: Debian font packages, never downloaded at run time.

`scripts/install-fonts.sh` installs the packages; `FONTS.md` beside this file records each font's
licence. Only DejaVu is sure to be present (it ships with fontconfig on Debian), so every caller
asks `choose_font`, which falls back to the closest DejaVu face when nothing with the wanted style
is installed: the generator works with DejaVu alone and gets more varied as packages are added.

Example:
    >>> import numpy as np
    >>> spec = choose_font(np.random.default_rng(0), {"mono"}, text="XTA21070J0495272")
    >>> load(spec, 40).getlength("VIN") > 0
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from PIL import ImageFont

FONT_ROOT = Path("/usr/share/fonts")
TAGS = frozenset(
    {
        *("sans", "serif", "mono", "condensed", "bold", "ocr", "technical", "din"),
        *("segment", "pixel", "handwriting", "typewriter", "cyrillic"),
    }
)


@dataclass(frozen=True)
class FontSpec:
    """One font file and what it looks like.

    Attributes:
        name: the file name without extension, e.g. "DejaVuSansCondensed-Bold".
        path: the installed file.
        package: the Debian package that installs it.
        licence: the font's licence as its package's copyright file states it.
        tags: style tags from `TAGS` ("cyrillic": it has the Russian letters labels need).
    """

    name: str
    path: Path
    package: str
    licence: str
    tags: frozenset[str]

    @property
    def installed(self) -> bool:
        return self.path.is_file()


# Licences as /usr/share/doc/<package>/copyright states them for the font files.
LICENCES = {
    "fonts-dejavu-core": "Bitstream Vera licence (DejaVu changes: public domain)",
    "fonts-dejavu-extra": "Bitstream Vera licence (DejaVu changes: public domain)",
    "fonts-liberation2": "OFL-1.1",
    "fonts-liberation": "GPL-2 with font exception",
    "fonts-freefont-ttf": "GPL-3+ with font exception",
    "fonts-ocr-b": "public domain",
    "fonts-ocr-a": "public domain",
    "fonts-roboto-unhinted": "Apache-2.0",
    "fonts-jetbrains-mono": "Apache-2.0",
    "fonts-inconsolata": "OFL-1.0",
    "fonts-b612": "OFL-1.1 / EPL-2.0 / EDL-1.0",
    "fonts-league-mono": "OFL-1.1",
    "fonts-noto-mono": "OFL-1.1",
    "fonts-dseg": "OFL-1.1",
    "fonts-dotgothic16": "OFL-1.1",
    "fonts-humor-sans": "OFL-1.1",
    "fonts-dkg-handwriting": "OFL-1.1 (font source; package files GPL-3+)",
    "fonts-opendin": "OFL-1.1",
    "fonts-osifont": "GPL-3 / LGPL-3 / GPL-2 with font exception",
    "fonts-gnutypewriter": "OFL-1.1",
    "fonts-urw-base35": "AGPL-3 with font exception",
    "fonts-3270": "BSD-3-Clause / OFL-1.1",
    "fonts-comic-neue": "OFL-1.1",
    "fonts-tlwg-purisa-ttf": "GPL-2+ with font exception",
    "fonts-breip": "OFL-1.0",
    "fonts-cantarell": "OFL-1.1",
    "fonts-lato": "OFL-1.1",
    "fonts-open-sans": "Apache-2.0",
    "fonts-hack": "MIT / Bitstream Vera licence",
    "fonts-go": "BSD-3-Clause",
    "fonts-sil-andika": "OFL-1.1 (Reserved Font Name)",
    "fonts-rufscript": "GPL-3+ with font exception",
    "fonts-sjfonts": "GPL-2 with font exception",
    "fonts-bwht": "OFL-1.1",
    "fonts-seto": "OFL-1.1",
    "fonts-tomsontalks": "OFL-1.1",
    "fonts-klee": "OFL-1.1",
    "fonts-yusei-magic": "OFL-1.1",
}
# By package: "<package>:" then one font a line, its file under /usr/share/fonts and its tags.
_TABLE = """
fonts-dejavu-core:
  truetype/dejavu/DejaVuSans.ttf                          sans cyrillic
  truetype/dejavu/DejaVuSans-Bold.ttf                     sans bold cyrillic
  truetype/dejavu/DejaVuSansMono.ttf                      mono cyrillic
  truetype/dejavu/DejaVuSansMono-Bold.ttf                 mono bold cyrillic
  truetype/dejavu/DejaVuSerif.ttf                         serif cyrillic
  truetype/dejavu/DejaVuSerif-Bold.ttf                    serif bold cyrillic
fonts-dejavu-extra:
  truetype/dejavu/DejaVuSansCondensed.ttf                 sans condensed cyrillic
  truetype/dejavu/DejaVuSansCondensed-Bold.ttf            sans condensed bold cyrillic
fonts-liberation2:
  truetype/liberation2/LiberationSans-Regular.ttf         sans cyrillic
  truetype/liberation2/LiberationSans-Bold.ttf            sans bold cyrillic
  truetype/liberation2/LiberationMono-Regular.ttf         mono cyrillic
  truetype/liberation2/LiberationSerif-Regular.ttf        serif cyrillic
fonts-liberation:
  truetype/liberation/LiberationSansNarrow-Regular.ttf    sans condensed cyrillic
  truetype/liberation/LiberationSansNarrow-Bold.ttf       sans condensed bold cyrillic
fonts-freefont-ttf:
  truetype/freefont/FreeSans.ttf                          sans cyrillic
  truetype/freefont/FreeSansBold.ttf                      sans bold cyrillic
  truetype/freefont/FreeMonoBold.ttf                      mono bold typewriter cyrillic
  truetype/freefont/FreeSerif.ttf                         serif cyrillic
fonts-ocr-b:
  opentype/ocr-b/OCRB.otf                                 ocr mono
fonts-ocr-a:
  truetype/ocr-a/OCRA.ttf                                 ocr mono
fonts-roboto-unhinted:
  truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf   sans cyrillic
  truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf      sans bold cyrillic
  truetype/roboto/unhinted/RobotoCondensed-Regular.ttf    sans condensed cyrillic
  truetype/roboto/unhinted/RobotoCondensed-Bold.ttf       sans condensed bold cyrillic
fonts-jetbrains-mono:
  truetype/jetbrains-mono/JetBrainsMono-Regular.ttf       mono cyrillic
  truetype/jetbrains-mono/JetBrainsMono-Bold.ttf          mono bold cyrillic
fonts-inconsolata:
  truetype/inconsolata/Inconsolata.otf                    mono
fonts-b612:
  opentype/b612/B612Mono-Regular.otf                      mono
  opentype/b612/B612-Bold.otf                             sans bold
fonts-league-mono:
  opentype/league-mono/LeagueMono-NarrowRegular.otf       mono condensed
  opentype/league-mono/LeagueMono-CondensedBold.otf       mono condensed bold
fonts-noto-mono:
  truetype/noto/NotoSansMono-Regular.ttf                  mono cyrillic
  truetype/noto/NotoSansMono-Bold.ttf                     mono bold cyrillic
fonts-dseg:
  truetype/dseg/DSEG14Classic-Regular.ttf                 segment
fonts-dotgothic16:
  truetype/dotgothic16/DotGothic16-Regular.ttf            pixel cyrillic
fonts-humor-sans:
  truetype/humor-sans/Humor-Sans.ttf                      handwriting
fonts-dkg-handwriting:
  truetype/fifthhorseman/dkg.ttf                          handwriting
fonts-opendin:
  truetype/opendin/OSP-DIN.ttf                            din condensed sans
fonts-osifont:
  truetype/osifont/osifont.ttf                            technical condensed cyrillic
fonts-gnutypewriter:
  truetype/gnutypewriter/GNUTypewriter.ttf                typewriter serif
fonts-urw-base35:
  opentype/urw-base35/NimbusSans-Regular.otf              sans cyrillic
  opentype/urw-base35/NimbusSans-Bold.otf                 sans bold cyrillic
  opentype/urw-base35/NimbusSansNarrow-Regular.otf        sans condensed cyrillic
  opentype/urw-base35/NimbusSansNarrow-Bold.otf           sans condensed bold cyrillic
  opentype/urw-base35/NimbusMonoPS-Regular.otf            mono typewriter cyrillic
fonts-3270:
  truetype/3270/3270Condensed-Regular.ttf                 mono condensed cyrillic
"""


def _parse(table: str) -> tuple[FontSpec, ...]:
    specs, package = [], ""
    for line in table.strip().splitlines():
        if line.endswith(":"):
            package = line[:-1]
            continue
        file, tags = line.split(maxsplit=1)
        unknown = set(tags.split()) - TAGS
        if unknown:
            raise ValueError(f"font {file}: unknown tags {sorted(unknown)}")
        path = FONT_ROOT / file
        specs.append(FontSpec(path.stem, path, package, LICENCES[package], frozenset(tags.split())))
    return tuple(specs)


FONTS: tuple[FontSpec, ...] = _parse(_TABLE)
"""Every font the generator knows, installed or not (see `available_fonts`)."""

# Added for characters written one per box (`vinreader.synth.forms`, charbox training). Kept out of
# FONTS so that the photo scene kinds draw from the same fonts as before: a seed keeps its images.
_BOX_TABLE = """
fonts-comic-neue:
  opentype/comic-neue/ComicNeue-Regular.otf               handwriting
  opentype/comic-neue/ComicNeue-Bold.otf                  handwriting bold
fonts-tlwg-purisa-ttf:
  truetype/tlwg/Purisa.ttf                                handwriting
  truetype/tlwg/Purisa-Bold.ttf                           handwriting bold
  truetype/tlwg/Purisa-Oblique.ttf                        handwriting
fonts-breip:
  truetype/breip/Breip.ttf                                handwriting
fonts-cantarell:
  opentype/cantarell/Cantarell-Regular.otf                sans
  opentype/cantarell/Cantarell-Bold.otf                   sans bold
fonts-lato:
  truetype/lato/Lato-Regular.ttf                          sans
  truetype/lato/Lato-Bold.ttf                             sans bold
fonts-open-sans:
  truetype/open-sans/OpenSans-Regular.ttf                 sans
  truetype/open-sans/OpenSans-CondBold.ttf                sans condensed bold
fonts-hack:
  truetype/hack/Hack-Regular.ttf                          mono
  truetype/hack/Hack-Bold.ttf                             mono bold
fonts-go:
  fonts-go/Go-Regular.ttf                                 sans
  fonts-go/Go-Mono.ttf                                    mono
fonts-sil-andika:
  truetype/andika/Andika-Regular.ttf                      sans
fonts-rufscript:
  truetype/rufscript/Rufscript010.ttf                     handwriting
fonts-sjfonts:
  truetype/sjfonts/Delphine.ttf                           handwriting
  truetype/sjfonts/SteveHand.ttf                          handwriting
fonts-bwht:
  opentype/bwht/BecauseWeBuild-Regular.otf                handwriting
  opentype/bwht/BecauseWeConnect-Regular.otf              handwriting
  opentype/bwht/BecauseWeCreate-Regular.otf               handwriting
  opentype/bwht/BecauseWeLearn-Regular.otf                handwriting
  opentype/bwht/BecauseWeMentor-Regular.otf               handwriting
  opentype/bwht/BecauseWeOrganize-Regular.otf             handwriting
fonts-seto:
  truetype/seto/setofont.ttf                              handwriting
fonts-tomsontalks:
  truetype/tomsontalks/TomsonTalks.ttf                    handwriting
fonts-klee:
  truetype/klee/KleeOne-Regular.ttf                       handwriting
  truetype/klee/KleeOne-SemiBold.ttf                      handwriting bold
fonts-yusei-magic:
  truetype/yusei-magic/YuseiMagic-Regular.ttf             handwriting bold
"""
# Handwriting faces of Google Fonts as the `@fontsource/<name>` npm packages (version 5.3.0) ship them,
# their licence as each package.json states it. `scripts/install-fonts.sh` unpacks only the Latin WOFF
# file of each into /usr/share/fonts/fontsource. Hand-printed capitals and digits, chosen by eye from
# a sheet of the VIN alphabet; left out: outlined, ornate or script capitals, capitals written as
# lower-case letters, heavy display faces, and Comic-Sans-like faces (Comic Neue is a held-out face).
# FONTS.md names them.
FONTSOURCE_HANDS = {
    **dict.fromkeys(
        ("akaya-telivigala", "amatic-sc", "annie-use-your-telescope", "architects-daughter", "atma", "boogaloo",
         "briem-hand", "caveat", "caveat-brush", "chilanka", "covered-by-your-grace", "dekko", "delicious-handrawn",
         "delius", "delius-unicase", "east-sea-dokdo", "edu-nsw-act-foundation", "edu-qld-beginner", "edu-sa-beginner",
         "edu-tas-beginner", "edu-vic-wa-nt-beginner", "farsan", "finger-paint", "fuzzy-bubbles", "gaegu",
         "gamja-flower", "gloria-hallelujah", "gluten", "gochi-hand", "grandstander", "grape-nuts", "hachi-maru-pop",
         "handlee", "hi-melody", "indie-flower", "itim", "kalam", "kavivanar", "kristi", "liu-jian-mao-cao",
         "long-cang", "love-ya-like-a-sister", "loved-by-the-king", "mali", "mansalva", "margarine", "mynerve",
         "nanum-brush-script", "nanum-pen-script", "nerko-one", "neucha", "nothing-you-could-do", "oregano",
         "pangolin", "patrick-hand", "patrick-hand-sc", "playpen-sans", "pompiere", "poor-story", "protest-revolution",
         "reenie-beanie", "sedgwick-ave", "shadows-into-light", "shadows-into-light-two", "slackside-one",
         "sour-gummy", "square-peg", "sriracha", "sue-ellen-francisco", "the-girl-next-door",
         "waiting-for-the-sunrise", "yomogi", "yuji-boku", "zcool-kuaile", "zen-kurenaido"),
        "OFL-1.1",
    ),
    **dict.fromkeys(
        ("calligraffitti", "coming-soon", "just-another-hand", "permanent-marker", "rancho", "rock-salt", "schoolbell",
         "sunshiney", "unkempt", "walter-turncoat"),
        "Apache-2.0",
    ),
}  # fmt: skip
# Added in the eighth (to zen-kurenaido), ninth (to sunshiney) and tenth sessions of 2026-12-07, after
# the held-out hands (`data.characters.HELDOUT_HANDS`) had been drawn from the forty before them:
# training faces only.
FONTSOURCE_ADDED_LATER = frozenset(
    ("amatic-sc delius delius-unicase finger-paint gluten grape-nuts hachi-maru-pop itim mali mynerve "
     "nanum-brush-script nerko-one pangolin patrick-hand-sc playpen-sans sedgwick-ave sriracha unkempt yomogi "
     "zen-kurenaido "
     "boogaloo briem-hand east-sea-dokdo grandstander liu-jian-mao-cao long-cang love-ya-like-a-sister pompiere "
     "rancho slackside-one sour-gummy sunshiney "
     "akaya-telivigala atma calligraffitti delicious-handrawn farsan kavivanar kristi margarine oregano "
     "protest-revolution square-peg yuji-boku zcool-kuaile").split()
)  # fmt: skip
LICENCES.update({f"@fontsource/{name}": licence for name, licence in FONTSOURCE_HANDS.items()})
_BOX_TABLE += "".join(
    f"@fontsource/{name}:\n  fontsource/{name}-latin-400-normal.woff  handwriting\n" for name in FONTSOURCE_HANDS
)
BOX_FONTS: tuple[FontSpec, ...] = _parse(_BOX_TABLE)
"""Extra print and handwriting faces used only for boxed characters (forms and the charbox classifier)."""
_MISSING = "\U0010fffd"  # a private-use code point no font maps: it renders as the .notdef box


def _as_set(tags: str | Iterable[str] | None) -> frozenset[str]:
    if tags is None:
        return frozenset()
    found = frozenset(tags.split()) if isinstance(tags, str) else frozenset(tags)
    if found - TAGS:
        raise ValueError(f"unknown font tags {sorted(found - TAGS)}; known: {sorted(TAGS)}")
    return found


@cache
def _installed() -> tuple[FontSpec, ...]:
    return tuple(spec for spec in FONTS if spec.installed)


def available_fonts(tags: str | Iterable[str] | None = None) -> list[FontSpec]:
    """The installed fonts having every tag in `tags` (e.g. "mono bold" or {"condensed"})."""
    wanted = _as_set(tags)
    return [spec for spec in _installed() if wanted <= spec.tags]


@lru_cache(maxsize=512)
def load(spec: FontSpec, size: int) -> ImageFont.FreeTypeFont:
    """The PIL font of `spec` at `size` px (em size), cached."""
    return ImageFont.truetype(str(spec.path), max(int(size), 4))


@cache
def _missing_glyph(spec: FontSpec) -> tuple[tuple[int, int], bytes]:
    mask = load(spec, 24).getmask(_MISSING)
    return mask.size, bytes(mask)


@cache  # bounded by fonts x characters ever asked about: a few thousand small entries
def _has_char(spec: FontSpec, char: str) -> bool:
    if char.isspace():
        return True
    glyph = load(spec, 24).getmask(char)
    return (glyph.size, bytes(glyph)) != _missing_glyph(spec)


def covers(spec: FontSpec, text: str) -> bool:
    """Whether `spec` has a glyph for every character of `text`."""
    return all(_has_char(spec, ch) for ch in set(text))


def choose_font(rng: np.random.Generator, tags: str | Iterable[str] | None = None, text: str = "") -> FontSpec:
    """A random installed font with all `tags` that can print `text`; else the closest DejaVu face.

    The draw from `rng` depends on which fonts are installed: a seed gives the same images on
    machines with the same font packages.
    """
    wanted = _as_set(tags)
    candidates = [spec for spec in available_fonts(wanted) if covers(spec, text)]
    if not candidates:
        dejavu = [spec for spec in _installed() if spec.package.startswith("fonts-dejavu")]
        if not dejavu:
            raise RuntimeError("no DejaVu font found: install fonts-dejavu-core (scripts/install-fonts.sh)")
        best = max(len(spec.tags & wanted) for spec in dejavu)
        candidates = [spec for spec in dejavu if len(spec.tags & wanted) == best]
    return candidates[int(rng.integers(len(candidates)))]


@lru_cache(maxsize=1024)
def cap_box(spec: FontSpec, size: int) -> tuple[int, int]:
    """Top and bottom of the capitals below the drawing origin at `size` px (PIL draws from the em top)."""
    box = load(spec, size).getbbox("H")
    return box[1], box[3]


@cache
def _cap_ratio(spec: FontSpec) -> float:
    box = load(spec, 100).getbbox("HXE")
    return max(box[3] - box[1], 1) / 100


def size_for_cap_height(spec: FontSpec, cap_height: float) -> int:
    """The em size at which `spec`'s capital letters are about `cap_height` px tall."""
    return max(4, round(cap_height / _cap_ratio(spec)))
