"""Segmenter limits (issue 12 review): letter runs too long to be glued words or one word."""

from __future__ import annotations

from server.documents.segment import MAX_CORRECT, MAX_GLUED, Segmenter

LOCAL = ["jalan", "taman", "kedai", "makanan"]


def test_a_very_long_run_is_not_respaced() -> None:
    segmenter = Segmenter(local=LOCAL)
    long_run = "JALANAIRKEDAIMAKANAN" * 80  # 1,600 letters: a barcode, a banner, noise
    assert segmenter.respace(long_run) == long_run
    assert segmenter.respace(f"12 {long_run}, KEDAIMAKANAN") == f"12 {long_run}, KEDAI MAKANAN"


def test_respacing_stops_at_the_glued_limit() -> None:
    segmenter = Segmenter(local=LOCAL)
    glued = "KEDAIMAKANAN" * 5  # 60 letters
    assert len(glued) == MAX_GLUED
    assert segmenter.respace(glued) == " ".join(["KEDAI MAKANAN"] * 5)
    assert segmenter.respace(glued + "JALAN") == glued + "JALAN"


def test_a_very_long_run_is_not_corrected() -> None:
    word = "enterprise" * 4  # 40 letters
    segmenter = Segmenter(targets=[word], english_targets=True)
    assert segmenter.correct("Z" * 10_000) == "Z" * 10_000
    slipped = "ENTERORISE" + "ENTERPRISE" * 3
    assert len(slipped) > MAX_CORRECT
    assert segmenter.correct(slipped) == slipped


def test_correction_needs_a_target_of_the_same_length() -> None:
    segmenter = Segmenter(targets=["jalan"])
    assert segmenter.correct("JAIAN JAIANS") == "JALAN JAIANS"
    assert Segmenter(local=["jalan"]).correct("JAIAN") == "JAIAN"  # no targets: no correction
