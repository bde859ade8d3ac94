"""Fuzzy matching on rapidfuzz.process."""

from __future__ import annotations

from rapidfuzz import fuzz

from server.documents.fuzzy import Vocabulary, best_match, phrase_scores


def test_best_match_picks_the_closest_above_the_cutoff() -> None:
    match = best_match("JAIAN", ["TAMAN", "JALAN", "LORONG"], cutoff=80)
    assert match is not None and (match.choice, match.score, match.index) == ("JALAN", 80.0, 1)
    assert best_match("KEDAI", ["TAMAN", "JALAN"], cutoff=80) is None
    assert best_match("", ["JALAN"], cutoff=0) is None
    assert best_match("JALAN", [], cutoff=0) is None


def test_vocabulary_snaps_long_mangled_words_only() -> None:
    words = Vocabulary(["TOTAL", "PAYABLE", "AMOUNT"], cutoff=75, min_length=5)
    assert words.snap("TOTAI") == "TOTAL"
    assert words.snap("PEYABLE") == "PAYABLE"
    assert words.snap("TOTL") == "TOTL"  # too short to snap
    assert words.snap("KEDAI") == "KEDAI"  # nothing close
    assert words.snap("AMOUNT") == "AMOUNT"


def test_phrase_scores_compare_whole_word_windows() -> None:
    tokens = ["NUTELA", "400G", "CARTE", "NOIRE", "PATES"]
    scores = phrase_scores(["NUTELLA", "CARTE NOIRE", "PAT", "A B C D E F"], tokens)
    assert round(scores[0], 2) == round(fuzz.ratio("NUTELLA", "NUTELA"), 2)
    assert scores[1] == 100.0
    assert scores[2] == round(fuzz.ratio("PAT", "PATES"), 6) < 80  # never a substring match
    assert scores[3] == 0.0  # longer than the text
    assert phrase_scores([], tokens) == []
    assert phrase_scores(["NUTELLA"], []) == [0.0]
