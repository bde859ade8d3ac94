"""Checks an upload passes before it becomes a receipt, beyond the generic upload checks.

- `upload_sha256`: the digest of the bytes, read before anything is stored, so that sending the
  same file again is answered DUPLICATE without writing a blob;
- `pdf_has_content`: whether any page of a PDF holds text or an object (image, path...). A PDF of
  blank pages passes every upload check (it is a well-formed PDF) but can never be a receipt;
  pdfium answers from the page object lists in milliseconds, without rendering anything.
"""

from __future__ import annotations

import asyncio
import hashlib

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from server.files.services import UploadLike
from server.ocr.errors import PdfError
from server.ocr.pdf import DEFAULT_MAX_PAGES, PDFIUM_LOCK

CHUNK = 1024 * 1024


async def upload_sha256(upload: UploadLike, *, max_bytes: int) -> str | None:
    """The upload's sha256, or None when it is empty or larger than `max_bytes` (the upload
    checks then refuse it with their own code). Leaves the upload at offset 0."""
    digest = hashlib.sha256()
    size = 0
    await upload.seek(0)
    try:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                return None
            # hashlib releases the GIL on large buffers: a thread keeps the loop responsive.
            await asyncio.to_thread(digest.update, chunk)
    finally:
        await upload.seek(0)
    return digest.hexdigest() if size else None


def pdf_has_content(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> bool:
    """Whether some page has text or any page object. Raises PdfError UNREADABLE_PDF,
    ENCRYPTED_PDF, TOO_MANY_PAGES. Synchronous: call it in a thread."""
    with PDFIUM_LOCK:  # pdfium is not thread-safe, and OCR threads use it too
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise PdfError("ENCRYPTED_PDF", "the PDF is protected by a password") from exc
            raise PdfError("UNREADABLE_PDF", f"not a readable PDF: {exc}") from exc
        try:
            pages = len(document)
            if pages > max_pages:
                raise PdfError(
                    "TOO_MANY_PAGES", f"the PDF has {pages} pages; the limit is {max_pages}"
                )
            for index in range(pages):
                page = document[index]
                try:
                    if pdfium_c.FPDFPage_CountObjects(page) > 0:
                        return True
                    textpage = page.get_textpage()
                    try:
                        if textpage.count_chars() > 0:
                            return True
                    finally:
                        textpage.close()
                finally:
                    page.close()
            return False
        except pdfium.PdfiumError as exc:
            raise PdfError("UNREADABLE_PDF", f"a page cannot be read: {exc}") from exc
        finally:
            document.close()
