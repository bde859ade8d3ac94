"""Company legal forms, cut from names for matching (the printed name keeps them).

The same shop prints "AEON CO. (M) BHD", "AEON CO (M) BHD." or just "AEON"; a French one "SAS
NICE FOOD" or "NICE FOOD SAS". Comparing names (a merchant against a brand, two receipts of
one seller) therefore compares their keys: folded to words (:func:`server.documents.text.fold`)
without the legal forms at either end, nor the "(M)" (Malaysia) marker before them.
"""

from __future__ import annotations

from server.documents.text import fold

# Legal forms as folded words ("SDN. BHD." -> "SDN BHD", "S.A." -> "S A", "S/B" -> "S B").
LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
    tuple(form.split())
    for form in (
        # Malaysia, Singapore, UK, US
        "SDN BHD", "SDN BND", "S B", "BHD", "BERHAD", "PLT", "PTE LTD", "PTE", "LTD", "LIMITED",
        "PLC", "LLP", "INC", "LLC", "CORP", "CO LTD", "CO", "COMPANY",
        # France, Belgium, Spain, Italy, Netherlands
        "SARL", "SAS", "SASU", "SA", "S A", "EURL", "SNC", "SCI", "SELARL", "SPRL", "SRL", "SL",
        "S L", "SLU", "SPA", "S P A", "BV", "NV",
        # Germany, Austria, Switzerland
        "GMBH", "GMBH CO KG", "AG", "KG", "OHG", "UG", "E K", "EK",
    )
)  # fmt: skip
# "(M)" printed between a Malaysian company's name and its legal form.
COUNTRY_MARKERS = frozenset({"M", "MALAYSIA", "S", "SINGAPORE"})


def _cut_end(words: list[str]) -> bool:
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        if len(words) > len(form) and tuple(words[-len(form) :]) == form:
            del words[-len(form) :]
            if len(words) > 1 and words[-1] in COUNTRY_MARKERS:
                words.pop()
            return True
    return False


def _cut_start(words: list[str]) -> bool:
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        if len(words) > len(form) and tuple(words[: len(form)]) == form:
            del words[: len(form)]
            return True
    return False


def name_key(name: str | None) -> str:
    """The name as words, without legal forms at its start or end: the form names are compared in.

    "MR. D.I.Y. (M) SDN BHD" -> "MR D I Y"; "SAS NICE FOOD" -> "NICE FOOD"; a name that is only
    a legal form keeps it ("SA" stays "SA").
    """
    words = fold(name, words=True).split()
    while _cut_end(words):
        pass
    while _cut_start(words):
        pass
    return " ".join(words)


def has_legal_form(name: str | None) -> bool:
    """Whether the name starts or ends with a legal form ("... SDN BHD", "SARL ...")."""
    return name_key(name) != fold(name, words=True)
