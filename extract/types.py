"""Typed objects that leave the extract stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# The document vocabulary lives in terms; re-exported because every extract module speaks it.
from terms.status import COURT_DOC_TYPES as COURT_DOC_TYPES
from terms.status import DocType as DocType
from terms.status import Outcome as Outcome
from terms.status import PageQuality as PageQuality


class PageSource(StrEnum):
    text_layer = "text_layer"
    tesseract = "tesseract"
    rapidocr = "rapidocr"
    docx = "docx"
    plain = "plain"
    failed = "failed"


@dataclass(frozen=True)
class Page:
    number: int  # 1-based within its file
    text: str
    source: PageSource
    confidence: float  # 0..1
    rotation: int = 0  # degrees clockwise applied to make the page upright
    preview_png: bytes | None = None  # small rendering for the review UI
    image_sha256: str | None = None  # cache key of the OCR'd image
    error: str | None = None
    seconds: float = 0.0
    quality: PageQuality = PageQuality.ok
    quality_evidence: str | None = None  # why a page was re-read or judged unreadable


# Enforcement and non-litigation enforcement review (非诉执行审查) type codes: the agency applied to the
# court; such cases are 行审 cases, which the litigation report leaves out.
ENFORCEMENT_TYPE_PREFIXES = ("行审", "执", "行执", "非诉")


@dataclass(frozen=True)
class CaseNumber:
    """A case number as a normalised key: full-width brackets, no 第, no zero padding, no spaces."""

    year: int
    court_code: str  # e.g. 鲁0481, 最高法; pre-2016 forms keep their court abbreviation (滕, 沪二中, or none)
    type_code: str  # e.g. 行初, 执; pre-2016 forms as printed before 字 (行（知）终, 非诉行执审)
    serial: int
    legacy: bool = False  # pre-2016 form: （2014）滕行初字第12号
    suffix: str = ""  # after the serial: 之一 (a second ruling in the same case), -1

    def __str__(self) -> str:
        if self.legacy:
            return f"（{self.year}）{self.court_code}{self.type_code}字{self.serial}{self._tail()}"
        return f"（{self.year}）{self.court_code}{self.type_code}{self.serial}{self._tail()}"

    def _tail(self) -> str:
        # 号之一 is printed after 号; a hyphenated sub-number (70-1) before it.
        return f"号{self.suffix}" if self.suffix.startswith("之") else f"{self.suffix}号"

    @property
    def case_type(self) -> str:
        """The case's kind as stored: the type code, or 行审 for enforcement and its review."""
        if self.type_code.startswith("行审"):
            return self.type_code if self.type_code == "行审复" else "行审"
        return "行审" if self.type_code.startswith(ENFORCEMENT_TYPE_PREFIXES) else self.type_code


@dataclass(frozen=True)
class Fields:
    case_number: str | None = None  # normalized, the document's own
    case_number_printed: str | None = None  # the document's own number exactly as read
    cited_case_numbers: tuple[str, ...] = ()
    court: str | None = None
    plaintiffs: tuple[str, ...] = ()
    defendant: str | None = None
    third_parties: tuple[str, ...] = ()
    cause: str | None = None  # 案由 as printed
    cause_category: str | None = None
    doc_date: date | None = None  # 落款
    hearing_at: datetime | None = None
    hearing_place: str | None = None
    head_present: bool | None = None
    head_principal: bool | None = None  # 正职 True, 副职 False
    head_name: str | None = None
    head_title: str | None = None
    absence_reason: str | None = None
    outcome: Outcome | None = None
    disposition: str | None = None  # the sentence(s) the outcome was read from
    first_instance_case: str | None = None  # for appeals
    # A decision's recital of when the court served the complaint and the notice to respond on the
    # defendant (于…向被告送达了起诉状副本及应诉通知书): the day the agency's deadlines ran from.
    notice_served: date | None = None
    # Facts read but not to be trusted without a person: export case field name (decision_date,
    # outcome, head_present ...) -> short reason in English. A fact named here may still carry a value.
    doubts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    doc_type: DocType
    first_page: int  # 1-based inclusive, within the file
    last_page: int
    confidence: float  # calibrated: >= threshold means right
    title: str | None = None
    fields: Fields = field(default_factory=Fields)
    evidence: tuple[str, ...] = ()
