"""Receipts: photos of till receipts turned into merchant, date, total, taxes and items."""
