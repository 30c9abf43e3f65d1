"""Understand a file: split its pages into documents, classify each and extract its fields."""

from __future__ import annotations

from collections.abc import Sequence

from extract.classify import classify_text
from extract.fields import extract_fields
from extract.split import split_pages
from extract.types import DocType, Document, Page, PageSource

__all__ = ["understand"]


def understand(pages: Sequence[Page], filename: str = "") -> list[Document]:
    """Documents in one file's pages, in page order, with type, confidence, title, fields, evidence.

    `filename` is weak evidence only: it may raise the confidence of a type the text already shows,
    never decide one (agencies name files 20260423.pdf or 新建文件夹.pdf).
    """
    ordered = sorted(pages, key=lambda p: p.number)
    if not ordered:
        return []
    texts = [p.text if p.source is not PageSource.failed else "" for p in ordered]
    documents: list[Document] = []
    for seg in split_pages(texts):
        seg_texts = texts[seg.first_page - 1 : seg.last_page]
        cls = classify_text(seg_texts)
        confidence = cls.confidence
        # OCR page confidence bounds how sure we can be about what was read.
        page_conf = min((p.confidence for p in ordered[seg.first_page - 1 : seg.last_page]), default=1.0)
        if page_conf < 0.5:
            confidence = min(confidence, 0.6)
        evidence = [*list(cls.evidence), f"split: {'; '.join(seg.evidence)}"]
        if cls.title is not None and filename and cls.title in filename:
            confidence = min(0.99, confidence + 0.02)
            evidence.append(f"filename mentions {cls.title}")
        if not any(t.strip() for t in seg_texts):
            documents.append(
                Document(DocType.other, ordered[seg.first_page - 1].number, ordered[seg.last_page - 1].number, 0.0,
                         None, evidence=("no text on these pages",))
            )
            continue
        fields = extract_fields(seg_texts, cls.doc_type)
        documents.append(
            Document(
                doc_type=cls.doc_type,
                first_page=ordered[seg.first_page - 1].number,
                last_page=ordered[seg.last_page - 1].number,
                confidence=round(confidence, 2),
                title=cls.title,
                fields=fields,
                evidence=tuple(evidence),
            )
        )
    return documents
