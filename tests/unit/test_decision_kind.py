"""A decision whose operative part contradicts its title is doubtful (invented text)."""

from extract.types import DocType
from extract.understanding.fields import extract_fields

BODY = ["江北省临河市中级人民法院", "行政判决书", "（2026）江01行申3号", "再审申请人张三。",
        "本院经审查认为，再审申请人的申请不符合法律规定。"]


def test_a_judgment_title_over_a_ruling_disposition_is_doubtful() -> None:
    f = extract_fields(["\n".join([*BODY, "裁定如下：", "驳回张三的再审申请。", "审判长　王一", "二〇二六年三月二日"])],
                       DocType.judgment)
    assert "decision_type" in f.doubts


def test_a_judgment_that_decides_by_judgment_is_not() -> None:
    text = "\n".join([*BODY, "判决如下：", "驳回原告张三的诉讼请求。", "审判长　王一", "二〇二六年三月二日"])
    f = extract_fields([text], DocType.judgment)
    assert "decision_type" not in f.doubts
