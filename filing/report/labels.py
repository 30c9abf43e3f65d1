"""Chinese labels the report shows for the stable English keys the system stores."""

from __future__ import annotations

from extract.understanding.vocab import CAUSE_LABELS

DOC_LABELS: dict[str, str] = {
    "complaint": "起诉状",
    "notice_to_respond": "应诉通知书",
    "evidence_notice": "举证通知书",
    "defense": "答辩状",
    "summons": "传票",
    "appearance_record": "负责人出庭情况",
    "judgment": "判决书",
    "ruling": "裁定书",
    "other": "其他材料",
}

OUTCOME_LABELS: dict[str, str] = {
    "agency_won": "胜诉",
    "agency_lost": "败诉",
    "withdrawn": "撤诉",
    "pending": "未结",
}

DECISION_LABELS: dict[str, str] = {"judgment": "判决", "ruling": "裁定"}


def doc_label(doc_type: str) -> str:
    return DOC_LABELS.get(doc_type, doc_type)


def cause_label(category: str | None) -> str:
    if not category:
        return "未分类"
    return CAUSE_LABELS.get(category, category)


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome or "pending", outcome or "未结")
