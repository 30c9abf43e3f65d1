"""The Chinese labels people see for the stable English keys the system stores: one table for every view.

Report, web UI, emails and CLI all take their labels from here, so one thing is never called two names.
"""

from __future__ import annotations

from terms.status import DECISION_TYPES

DOC_LABELS: dict[str, str] = {
    "complaint": "起诉状",
    "notice_to_respond": "应诉通知书",
    "evidence_notice": "举证通知书",
    "summons": "传票",
    "defense": "答辩状",
    "appearance_record": "负责人出庭情况",
    "judgment": "判决书",
    "ruling": "裁定书",
    "rectification_report": "整改报告",
    "other": "其他材料",
}
# Letters and the case pages name the appearance record as the city notice does; tables keep it short.
DOC_LABELS_FORMAL: dict[str, str] = {**DOC_LABELS, "appearance_record": "行政机关负责人出庭应诉情况材料"}
# The decision document itself (判决书); DECISION_LABELS names the kind of decision (判决).
DECISION_DOC_LABELS: dict[str, str] = {t: DOC_LABELS[t] for t in DECISION_TYPES}
DECISION_LABELS: dict[str, str] = {"judgment": "判决", "ruling": "裁定"}

OUTCOME_LABELS: dict[str, str] = {
    "agency_won": "胜诉",
    "agency_lost": "败诉",
    "withdrawn": "撤诉",
    "pending": "未结",
}

CAUSE_LABELS: dict[str, str] = {
    "housing_expropriation": "房屋征收补偿",
    "info_disclosure": "政府信息公开",
    "work_injury": "工伤认定",
    "compensation": "行政赔偿",
    "forced_demolition": "行政强制",
    "property_registration": "不动产登记",
    "admin_reconsideration": "行政复议",
    "admin_penalty": "行政处罚",
    "failure_to_perform": "履行法定职责",
    "admin_license": "行政许可",
    "admin_agreement": "行政协议",
    "other": "其他",
}

MATCH_LABELS: dict[str, str] = {
    "auto": "自动归档",
    "confirmed": "人工确认",
    "review": "待审核",
    "none": "无匹配",
    "not_litigation": "非诉讼材料",
}

MESSAGE_STATUS_LABELS: dict[str, str] = {
    "filed": "已归档",
    "incomplete": "附件不完整",
    "quarantined": "隔离",
    "duplicate": "重复",
    "failed": "处理失败",
    "no_attachments": "无附件",
    "pending": "处理中",
    "discarded": "已丢弃",
}

SENDER_LABELS: dict[str, str] = {
    "registered": "已登记",
    "unregistered": "未登记发件人",
    "spoofed": "疑似冒用",
    "unauthenticated": "未认证",
}

OUTBOX_KIND_LABELS: dict[str, str] = {"receipt": "回执", "digest": "日报", "report": "报表",
                                      "reminder_missing_again": "再次催报", "escalation_staff": "催报未果通报",
                                      "digest_quarantine": "隔离日报", "reply": "答复",
                                      "reminder_rectification": "整改提醒",
                                      "reminder_rectification_overdue": "整改逾期催报",
                                      "reminder_compliance": "裁判履行提醒",
                                      "reminder_compliance_overdue": "裁判履行逾期催报"}

RECTIFICATION_STATUS_LABELS: dict[str, str] = {"open": "整改中", "received": "已报整改情况（待确认）",
                                               "done": "整改完成"}
COMPLIANCE_STATUS_LABELS: dict[str, str] = {"open": "待履行", "done": "已履行", "void": "不再跟踪"}

OUTBOX_STATUS_LABELS: dict[str, str] = {
    "queued": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "uncertain": "发送状态不明",
    "dead": "发送失败",
    "cancelled": "已取消",
}

PAGE_SOURCE_LABELS: dict[str, str] = {
    "text_layer": "文字层",
    "tesseract": "OCR",
    "rapidocr": "OCR",
    "docx": "Word 文档",
    "plain": "纯文本",
    "failed": "识别失败",
}


# terms.errors.ErrorCode values as staff read them (the stored error text stays as technical detail).
ERROR_LABELS: dict[str, str] = {
    "malformed_mime": "邮件格式损坏",
    "no_sender": "没有唯一的发件地址",
    "unknown_sender": "发件人未登记",
    "spoofed_sender": "疑似冒用单位名义",
    "oversized_message": "邮件超过大小上限",
    "empty_file": "文件为空",
    "unknown_type": "文件格式无法识别",
    "encrypted_pdf": "PDF 已加密",
    "corrupt_pdf": "PDF 已损坏",
    "corrupt_image": "图片已损坏",
    "image_bomb": "图片尺寸异常",
    "corrupt_zip": "压缩包已损坏",
    "corrupt_tnef": "Outlook 附件包（winmail.dat）已损坏",
    "zip_bomb": "压缩包异常（解压后过大）",
    "corrupt_docx": "Word 文档已损坏",
    "too_many_pages": "页数超过处理上限",
    "truncated_file": "文件不完整（传输中被截断）",
    "ocr_failed": "文字识别失败",
    "ocr_timeout": "文字识别超时",
    "repeated_file": "与此前收到的文件相同，未重复登记",
    "internal": "系统内部错误（请联系管理员）",
}


def error_label(code: str | None) -> str:
    return ERROR_LABELS.get(code or "", "无法读取")


SYSTEM_ACTOR = "system"


def actor_label(actor: str | None) -> str:
    """Who did it, for staff: the pipeline is 系统, a person is their login name."""
    return "系统" if not actor or actor == SYSTEM_ACTOR else actor


def doc_label(doc_type: str) -> str:
    """Short label for tables (the report); an unknown key shows as itself."""
    return DOC_LABELS.get(doc_type, doc_type)


def formal_doc_label(doc_type: str) -> str:
    """The name letters and case pages use; an unknown key is 其他材料."""
    return DOC_LABELS_FORMAL.get(doc_type, DOC_LABELS_FORMAL["other"])


def cause_label(category: str | None) -> str:
    if not category:
        return "未分类"
    return CAUSE_LABELS.get(category, category)


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome or "pending", outcome or OUTCOME_LABELS["pending"])
