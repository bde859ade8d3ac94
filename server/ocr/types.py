"""The OCR result types, defined in :mod:`server.documents.types` (one word/line type for
every engine and every document area) and re-exported here for the engine's callers.
"""

from __future__ import annotations

from server.documents.types import Box, Line, OcrLine, OcrPage, OcrResult, OcrWord, Word

__all__ = ["Box", "Line", "OcrLine", "OcrPage", "OcrResult", "OcrWord", "Word"]
