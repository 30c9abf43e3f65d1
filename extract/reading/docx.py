"""DOCX text: paragraphs and tables in document order, as one page (DOCX has no fixed pages)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from terms.errors import ErrorCode, FilingError


def docx_text(data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise FilingError(ErrorCode.corrupt_docx,
                          f"The Word file cannot be opened ({e or type(e).__name__}). "
                          "Ask the sender to save it again as .docx or send a PDF.") from e
    except Exception as e:  # lxml raises its own XML errors on damaged parts
        raise FilingError(ErrorCode.corrupt_docx,
                          f"The Word file is damaged ({type(e).__name__}: {e}). Ask the sender for a PDF.") from e
    lines = list(_blocks(document))
    # Headers/footers often carry the case number on court forms typed in Word.
    for section in document.sections:
        for part in (section.header, section.footer):
            lines.extend(p.text for p in part.paragraphs if p.text.strip())
    return "\n".join(line for line in lines if line.strip())


def _blocks(document: DocxDocument) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table_lines(block)


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell appears once per grid column it spans; keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = "\n".join(p.text for p in cell.paragraphs).strip()
            nested = [line for t in cell.tables for line in _table_lines(t)]
            cells.append(" ".join([text, *nested]).strip())
        yield "\t".join(cells)
