"""The header line-classifier experiment (issue 12): features, key labels, a trained extractor."""

from __future__ import annotations

from bench.receipts import text_ocr
from server.receipts.extractor import TrainingReceipt
from server.receipts.line_model import (
    ADDRESS,
    MERCHANT,
    OTHER,
    header_rows,
    row_labels,
    train_model,
    train_rerank,
)

HEADER = """\
KEDAI RUNCIT MAJU SDN BHD
(123456-A)
NO 12, JALAN MAWAR 3,
TAMAN SERI INDAH,
43000 KAJANG, SELANGOR
TEL: 03-8736 1234
TAX INVOICE
DATE: 03/12/2018
GULA 1KG              3.20
TOTAL                 3.20
"""
KEY = {
    "company": "KEDAI RUNCIT MAJU SDN BHD",
    "address": "NO 12, JALAN MAWAR 3, TAMAN SERI INDAH, 43000 KAJANG, SELANGOR",
    "date": "03/12/2018",
    "total": "3.20",
}


def test_features_one_row_each_with_the_rules_choice() -> None:
    head = header_rows(text_ocr(HEADER))
    assert [r.text for r in head.rows][:2] == ["KEDAI RUNCIT MAJU SDN BHD", "(123456-A)"]
    assert head.features.shape[0] == len(head.rows) == 10
    assert head.rule_merchant is not None and head.rule_merchant.text.startswith("KEDAI")
    # Same number of features on every row, all finite.
    assert head.features.shape[1] > 40
    assert (abs(head.features) < 100).all()


def test_labels_come_from_the_key_spans() -> None:
    head = header_rows(text_ocr(HEADER))
    labels = row_labels(head.rows, KEY["company"], KEY["address"])
    assert labels == [MERCHANT, OTHER, ADDRESS, ADDRESS, ADDRESS] + [OTHER] * 5


def test_a_name_printed_twice_is_labelled_once() -> None:
    ocr = text_ocr("MAJU\nKEDAI RUNCIT MAJU SDN BHD (123456-A)\nNO 12, JALAN MAWAR 3\n")
    head = header_rows(ocr)
    labels = row_labels(head.rows, "KEDAI RUNCIT MAJU SDN BHD", "NO 12, JALAN MAWAR 3")
    assert labels == [OTHER, MERCHANT, ADDRESS]


def test_trained_extractors_read_a_made_up_header() -> None:
    examples = [TrainingReceipt(id=str(i), ocr=text_ocr(HEADER), key=KEY) for i in range(3)]
    for trainer in (train_model, train_rerank):
        found = trainer(examples).extract(text_ocr(HEADER))
        assert found.merchant is not None and found.merchant.value == KEY["company"]
        assert found.address is not None
        assert (
            found.address.value == "NO 12, JALAN MAWAR 3, TAMAN SERI INDAH, 43000 KAJANG, SELANGOR"
        )
