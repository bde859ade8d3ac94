"""The first look at a sales file, shared by the preview, the start of an import and its job:
the format, the first rows, column samples, the date order, and the row converter for a
mapping, so that all three read a file the same way. Raises the file's problems as
CompaniesError (service calls) or leaves SalesFileError to the job.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.sales_conversion import RowConverter
from server.companies.sales_detection import (
    PREVIEW_ROWS,
    SAMPLE_ROWS,
    Detected,
    SalesFileError,
    detect,
)
from server.companies.sales_mapping import (
    ImportOptions,
    Layout,
    SalesMapping,
    suggest_mapping,
    wide_sku_columns,
)
from server.companies.sales_rows import Row, open_rows
from server.companies.sales_values import DateOrder, decide_date_order, looks_numeric

_FILE_CODES = {
    "EMPTY_FILE": CompaniesErrorCode.EMPTY_FILE,
    "NOT_A_SALES_FILE": CompaniesErrorCode.NOT_A_SALES_FILE,
    "MISSING_COLUMN": CompaniesErrorCode.MISSING_COLUMN,
}


def file_error(exc: SalesFileError, field: str = "file") -> CompaniesError:
    code = _FILE_CODES.get(exc.code, CompaniesErrorCode.NOT_A_SALES_FILE)
    return CompaniesError(
        code, exc.message, field="mapping" if code is CompaniesErrorCode.MISSING_COLUMN else field
    )


def inspect_file(path: Path, date_column: str | None, option: DateOrder | None, country: str):
    """(detected, 20 preview rows, column samples, date order, its source) — in a thread."""
    detected = detect(path)
    stream = open_rows(path, detected)
    samples: dict[str, list[Any]] = {name: [] for name in detected.columns}
    preview: list[Row] = []
    rows = stream.rows()
    for count, row in enumerate(rows):
        if count < PREVIEW_ROWS:
            preview.append(row)
        for name, value in zip(detected.columns, row.cells, strict=False):
            samples[name].append(value)
        if count + 1 >= SAMPLE_ROWS:
            break
    rows.close()
    column = date_column
    if column is None:
        _layout, guess = suggest_mapping(
            detected.columns, samples, decimal_comma=detected.decimal_comma
        )
        column = guess.date if guess else None
    order, source = decide_date_order(samples.get(column or "", []), option=option, country=country)
    return detected, preview, samples, order, source


def converter_for(
    detected: Detected,
    mapping: SalesMapping,
    options: ImportOptions,
    order: DateOrder,
    samples: dict[str, list[Any]],
) -> RowConverter:
    if options.layout is Layout.WIDE and mapping.sku_columns is None:
        numeric = {
            name
            for name in detected.columns
            if looks_numeric(samples.get(name, []), decimal_comma=detected.decimal_comma)
        }
        columns = wide_sku_columns(detected.columns, mapping.date, numeric)
        mapping = SalesMapping(date=mapping.date, store=mapping.store, sku_columns=tuple(columns))
    return RowConverter(
        columns=detected.columns,
        mapping=mapping,
        layout=options.layout,
        order=order,
        decimal_comma=detected.decimal_comma,
    )


async def check_columns(
    path: Path, mapping: SalesMapping, options: ImportOptions, country: str
) -> None:
    """Whether the mapping's columns are in the file (in a thread). Raises CompaniesError
    EMPTY_FILE, NOT_A_SALES_FILE, MISSING_COLUMN."""
    try:
        detected, _p, samples, order, _s = await asyncio.to_thread(
            inspect_file, path, mapping.date, options.date_order, country
        )
        converter_for(detected, mapping, options, order, samples)
    except SalesFileError as exc:
        raise file_error(exc) from None
