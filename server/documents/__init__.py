"""Tools every document area (receipts, invoices, cards) shares.

- :mod:`.types`: the one word/line/page type OCR engines return (``Word``, ``Line``, ``Box``);
- :mod:`.ocr`: the OCR runners (RapidOCR, tesseract) as words and lines with boxes and confidences;
- :mod:`.boxes`: box union and overlaps;
- :mod:`.layout`: the one row grouping (text runs side by side on a printed line) and ``Row``;
- :mod:`.text`: the one text fold (upper case, no accents, whitespace collapsed);
- :mod:`.money`: amounts (locale aware), rates; :mod:`.currency`: currency detection;
- :mod:`.dates`: dates (day-first or month-first by locale) and times;
- :mod:`.fuzzy`: fuzzy matching with ``rapidfuzz.process``.

Pure and synchronous; nothing here imports a domain. Submodules are imported explicitly
(``from server.documents.money import find_amounts``): this package imports none of them, so
``server.ocr`` can use the layout tools without an import cycle.
"""
