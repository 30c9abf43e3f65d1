"""Is the file all there? Transfer-encoding defects, a declared size and a PDF's end marker.

A file cut short in transit often still opens (pdfium repairs a PDF from its first page), so
"it opened" proves nothing: the attachment is marked incomplete and the agency asked to resend.
"""

from __future__ import annotations

# The email package's defect for base64 that stops mid-quantum (one character over a multiple of four
# carries no whole byte): the data was cut. A missing "=" pad alone is a common sender slip, and
# cut-off files are caught by their content checks (PDF end marker, JPEG/PNG ends, ZIP directory).
TRUNCATION_DEFECTS = frozenset({"InvalidBase64LengthDefect"})
_PDF_TAIL = 4096  # %%EOF sits at the very end; some writers add a little after it
# RFC 2183's size parameter is "approximate", and some mailers write wrong ones (a complete 27 KB
# Word file declared as 38 KB is in the real-world corpus): only a file under half of it counts as cut.
_SIZE_SHARE = 0.5


def transfer_problem(defects: list[str], declared_size: int | None, actual: int) -> str | None:
    """Why a MIME part's decoded content is incomplete, or None."""
    cut = sorted(TRUNCATION_DEFECTS.intersection(defects))
    if cut:
        return f"the transfer encoding is cut short ({', '.join(cut)})"
    if declared_size is not None and declared_size > 0 and actual < declared_size * _SIZE_SHARE:
        return f"the sender declared {declared_size:,} bytes but only {actual:,} arrived"
    return None


def pdf_cut_short(data: bytes) -> bool:
    """A PDF without its end-of-file marker near the end lost its tail."""
    return b"%%EOF" not in data[-_PDF_TAIL:]
