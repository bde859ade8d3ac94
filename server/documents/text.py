"""The one text fold: the form document rules and fuzzy matches compare text in.

``fold`` upper-cases, turns compatibility forms into plain ones (NFKC: "ﬁ" -> "FI", full-width
digits, no-break spaces), strips accents (CRÈMERIE -> CREMERIE) and collapses whitespace;
punctuation stays, because rules read it ("TOTAL:", "12,50"). ``words=True`` also turns every
character other than A-Z and 0-9 into a space, for comparing names ("Côte d'Or" -> "COTE D OR",
"Coca-Cola" -> "COCA COLA"): brand names are stored and matched in that form.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9A-Z]+")


def strip_accents(text: str) -> str:
    """CRÈMERIE -> CREMERIE, keeping case and every other character (€, £ stay)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(text: str | None, *, words: bool = False) -> str:
    """Upper case, no accents, compatibility forms unified, whitespace collapsed ("" for None).

    With ``words=True`` only letters A-Z and digits remain, as space-separated words.
    """
    if not text:
        return ""
    folded = strip_accents(unicodedata.normalize("NFKC", text)).upper()
    if words:
        folded = _NON_WORD.sub(" ", folded)
    return " ".join(folded.split())
