"""Reading the head an agency's reply names for a hearing, and the replies that name nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.understanding.plan_reply import own_text, parse_head_plan

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"


@pytest.mark.parametrize(("body", "name", "title"), [
    ("出庭负责人：张三 副局长", "张三", "副局长"),
    ("出庭负责人：张三副局长", "张三", "副局长"),
    ("出庭负责人: 副局长 李四", "李四", "副局长"),
    ("出庭负责人：张三（副局长）", "张三", "副局长"),
    ("出庭负责人：张三，职务：副局长", "张三", "副局长"),
    ("拟出庭负责人：欧阳明华 局长", "欧阳明华", "局长"),
    ("您好，关于该案，由王五副局长出庭应诉。", "王五", "副局长"),
    ("经研究，拟由局长赵六同志出庭。", "赵六", "局长"),
    ("出庭负责人：张三", "张三", None),
    ("收到。\n出 庭 负 责 人：李四　副主任\n谢谢", None, None),  # spaced label: not read
    ("收到，谢谢！\n出庭负责人：李四 副主任\n\n-----原始邮件-----\n出庭负责人：王×× 副局长", "李四", "副主任"),
])
def test_names_the_head(body: str, name: str | None, title: str | None) -> None:
    plan = parse_head_plan(body)
    if name is None:
        assert plan is None
        return
    assert plan is not None and (plan.name, plan.title) == (name, title)
    assert name in plan.line


@pytest.mark.parametrize("body", [
    "",
    "收到，谢谢。",
    "负责人因公务无法出庭，已向法院提交情况说明。",
    "出庭负责人：待定",
    "出庭负责人：张三，因出差不能出庭",
    "出庭负责人：",
    "出庭负责人：姓名 职务",
    "> 出庭负责人：张三 副局长",
    "好的\n-----原始邮件-----\n出庭负责人：张三 副局长",
    "好的\n在 2026年3月16日 写道：\n出庭负责人：张三 副局长",
    "好的\nOn Mon, 16 Mar 2026 someone wrote:\n出庭负责人：张三 副局长",
    "好的\n发件人: 滕州市司法局\n出庭负责人：张三 副局长",
])
def test_names_nobody(body: str) -> None:
    assert parse_head_plan(body) is None


def test_our_reminder_quoted_whole_names_nobody() -> None:
    for ext in ("txt", "html"):
        assert parse_head_plan((TEMPLATES / f"reminder_hearing.{ext}.j2").read_text(encoding="utf-8")) is None


def test_own_text_drops_quotes() -> None:
    assert own_text("a\n> b\nc\n-----原始邮件-----\nd") == "a\nc"
