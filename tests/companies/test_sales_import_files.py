"""Reading a sales file (server.companies.sales_values, sales_detection, sales_mapping, sales_rows,
sales_conversion), pure: type, encoding, delimiter, decimal mark, the date order
rule, formula cells, the suggested mapping, the wide layout of the real hourly file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from server.companies.sales_conversion import RowConverter
from server.companies.sales_detection import FileKind, SalesFileError, detect, sniff_kind
from server.companies.sales_mapping import Layout, SalesMapping, suggest_mapping, wide_sku_columns
from server.companies.sales_rows import open_rows
from server.companies.sales_values import (
    DateOrder,
    decide_date_order,
    neutralise,
    parse_day_cell,
    parse_number,
)
from tests.conftest import shared_dataset


def _file(tmp_path: Path, data: bytes, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter", "decimal_comma"),
    [
        (b"\xef\xbb\xbfdate,sku,qty\n2024-01-02,A,1.5\n", "utf-8-sig", ",", False),
        (b"date;sku;qty\n2024-01-02;A;1,5\n", "utf-8", ";", True),
        (b"date\tsku\tqty\n2024-01-02\tA\t1.234,5\n", "utf-8", "\t", True),
        ("date;sku;qté\n2024-01-02;CAFÉ;2\n".encode("cp1252"), "cp1252", ";", False),
        (b'date,sku,qty\n2024-01-02,"A, B","1,234.5"\n', "utf-8", ",", False),
    ],
)
def test_encoding_delimiter_and_decimal_mark_are_detected(
    tmp_path, data, encoding, delimiter, decimal_comma
):
    detected = detect(_file(tmp_path, data))
    assert (detected.kind, detected.encoding, detected.delimiter, detected.decimal_comma) == (
        FileKind.CSV,
        encoding,
        delimiter,
        decimal_comma,
    )
    assert detected.columns[0] == "date"


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is binary, not CSV text or XLSX (whatever its name says)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "This is an old Excel (.xls) file: save it as .xlsx or CSV."),
        (b"\xff\xfed\x00a\x00", "UTF-16 text is not supported: save as UTF-8."),
    ],
)  # fmt: skip
def test_what_is_not_a_sales_file(head, message):
    with pytest.raises(SalesFileError) as refused:
        sniff_kind(head)
    assert refused.value.message == message


def test_a_zip_that_is_no_workbook_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "fake.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SalesFileError) as refused:
        detect(path)
    assert refused.value.code == "NOT_A_SALES_FILE"


@pytest.mark.parametrize(
    ("samples", "option", "country", "decided"),
    [
        (["03/04/2024", "25/04/2024"], None, "US", (DateOrder.DMY, "data")),
        (["03/04/2024", "04/25/2024"], None, "FR", (DateOrder.MDY, "data")),
        (["03/04/2024"], None, "FR", (DateOrder.DMY, "country")),
        (["03/04/2024"], None, "US", (DateOrder.MDY, "country")),
        (["25/04/2024"], DateOrder.MDY, "FR", (DateOrder.MDY, "option")),
        (["2024-04-03"], None, "DE", (DateOrder.DMY, "country")),
    ],
)
def test_the_date_order_rule(samples, option, country, decided):
    assert decide_date_order(samples, option=option, country=country) == decided


@pytest.mark.parametrize(
    ("text", "order", "parsed"),
    [
        ("2024-03-05", DateOrder.MDY, (date(2024, 3, 5), "")),
        ("2024-03-05T14:30:00", DateOrder.DMY, (date(2024, 3, 5), "14:30")),
        ("05/03/2024", DateOrder.DMY, (date(2024, 3, 5), "")),
        ("05/03/2024", DateOrder.MDY, (date(2024, 5, 3), "")),
        ("1/2/2014 8:00", DateOrder.MDY, (date(2014, 1, 2), "08:00")),
        ("05.03.24", DateOrder.DMY, (date(2024, 3, 5), "")),
    ],
)
def test_dates(text, order, parsed):
    assert parse_day_cell(text, order=order) == parsed


@pytest.mark.parametrize(
    ("text", "decimal_comma", "number"),
    [
        ("-3", False, Decimal(-3)),
        ("1,234.50", False, Decimal("1234.50")),
        ("1.234,5", True, Decimal("1234.5")),
        ("1 234,5", True, Decimal("1234.5")),
        (" 7 ", False, Decimal(7)),
    ],
)
def test_numbers(text, decimal_comma, number):
    assert parse_number(text, decimal_comma=decimal_comma) == number


@pytest.mark.parametrize(
    ("text", "reason"),
    [("=1+2", "a formula, not a number"), ("@A1", "a formula, not a number"),
     ("abc", "not a number"), ("NaN", "not a number"), ("", "empty")],
)  # fmt: skip
def test_not_numbers(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text, decimal_comma=False)


def test_neutralise_keeps_formulas_from_spreadsheets():
    assert [neutralise(v) for v in ["=SUM(A1)", "+1", "-x", "@a", "\tx", "ok", "12"]] == [
        "'=SUM(A1)", "'+1", "'-x", "'@a", "'\tx", "ok", "12",
    ]  # fmt: skip


def test_suggested_mapping_long_and_wide():
    long = suggest_mapping(
        ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "Country"],
        {"InvoiceDate": ["12/1/2010 8:26"], "Quantity": ["6"], "UnitPrice": ["2.55"]},
        decimal_comma=False,
    )
    assert long == (
        Layout.LONG,
        SalesMapping(date="InvoiceDate", sku="StockCode", quantity="Quantity",
                        unit_price="UnitPrice", store=None, external_id="InvoiceNo"),
    )  # fmt: skip
    wide = suggest_mapping(
        ["datum", "A", "B", "C"], {"A": ["1"], "B": ["2.5"], "C": ["0"]}, decimal_comma=False
    )
    assert wide == (Layout.WIDE, SalesMapping(date="datum", sku_columns=None))


def test_the_real_hourly_file_streams_wide_without_its_calendar_columns():
    path = shared_dataset("sales") / "saleshourly.csv"
    detected = detect(path)
    numeric = {n for n in detected.columns if n not in ("datum", "Weekday Name")}
    columns = wide_sku_columns(detected.columns, "datum", numeric)
    assert columns == ["M01AB", "M01AE", "N02BA", "N02BE", "N05B", "N05C", "R03", "R06"]
    converter = RowConverter(
        columns=detected.columns,
        mapping=SalesMapping(date="datum", sku_columns=tuple(columns)),
        layout=Layout.WIDE,
        order=DateOrder.MDY,
        decimal_comma=False,
    )
    rows = open_rows(path, detected).rows()
    first = next(rows)
    rows.close()
    sales, problems = converter.convert(first)
    assert problems == []
    assert [(s.sku, s.sold_on, s.quantity, s.external_id) for s in sales[:3]] == [
        ("M01AB", date(2014, 1, 2), Decimal("0.000"), "08:00"),
        ("M01AE", date(2014, 1, 2), Decimal("0.670"), "08:00"),
        ("N02BA", date(2014, 1, 2), Decimal("0.400"), "08:00"),
    ]
