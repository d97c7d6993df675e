"""VINs written one character per box in a row of 17 boxes (vehicle inspection and registration forms).

find.py (the row of boxes) -> cell.py (one box with its surroundings -> a normalised glyph: walls.py
finds and removes the walls, glyph.py polarity and centring) -> models/charbox.py (classify) -> reader.py
(BoxReader: the same VinResult as the photo reader).

Example:
    >>> from vinreader.boxes import BoxReader
    >>> BoxReader().read("form.png").vin  # doctest: +SKIP
    '1HGCM82633A004352'
"""

from vinreader.boxes.reader import BoxReader, BoxReaderConfig

__all__ = ["BoxReader", "BoxReaderConfig"]
