"""The hostile-input suite: 40+ crafted messages in one batch through the real pipeline (real
tesseract, SQLite and PostgreSQL). Each ends with its recorded error; nothing else in the batch is
lost; the bombs fail from what they claim, before anything large is decoded or rendered.

Memory and time per message are measured by bench/hostile_bench.py, not here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from filing.bootstrap import App, bootstrap
from filing.commands.core import import_files, init_app
from filing.config import load_settings
from filing.export import build_export
from store import models as m
from tests.support.documents import text_pdf
from tests.support.hostile import AUTHSERV_ID, HostileCase, hostile_cases
from tests.support.webdata import notice
from tests.support.webdata import text_pdf as cjk_pdf

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.tesseract, pytest.mark.slow]


def _cases() -> list[HostileCase]:
    def notice_pdf(number: str) -> bytes:
        return cjk_pdf([notice(number, "王示例", "政府信息公开", "二〇二六年三月二日")])

    return hostile_cases(notice_pdf, text_pdf(password="secret"))


@pytest.fixture
def batch(tmp_path: Path, db_url: str) -> tuple[App, dict[str, dict[str, Any]], list[HostileCase]]:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: var/blobs\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\n"
        f"ocr:\n  cache_path: var/ocr-cache\n  workers: 1\n"
        f"senders:\n  authserv_id: {AUTHSERV_ID}\n",  # unauthenticated: the default (review)
        encoding="utf-8",
    )
    app = bootstrap(load_settings(config, environ={}))
    init_app(app)
    cases = _cases()
    mail = tmp_path / "mail"
    mail.mkdir()
    paths = []
    for i, case in enumerate(cases):
        path = mail / f"{i:03d}-{case.name}.eml"
        path.write_bytes(case.raw)
        paths.append(path)
    results = import_files(app, paths, quiet=True)
    row_of = {path.name.split("-", 1)[1][:-4]: row_id for path, row_id, _status, _new in results}
    with app.uow() as uow:
        export = build_export(uow.session, date(2026, 3, 31), lambda s, cases, d: {c.id: [] for c in cases})
    by_row = {msg["id"]: msg for msg in export["messages"]}
    exported = {name: by_row[row_id] for name, row_id in row_of.items()}
    exported["_outbox"] = export  # type: ignore[assignment]
    return app, exported, cases


def test_hostile_batch(batch: Any) -> None:
    """One batch per database (it takes about a minute): every check below runs on it."""
    every_message_ends_with_its_recorded_error(batch)
    an_unreadable_attachment_is_named_in_the_receipt(batch)
    text_layers_with_nul_are_read_by_ocr_and_nul_is_never_stored(batch)


def every_message_ends_with_its_recorded_error(batch: Any) -> None:
    _app, exported, cases = batch
    assert len(cases) >= 40
    problems = []
    for case in cases:
        msg = exported[case.name]
        try:
            assert msg["state"] == "done", f"state {msg['state']} ({msg['error']})"
            assert msg["status"] == case.status, f"status {msg['status']}, expected {case.status}"
            if case.sender is not None:
                assert msg["sender_status"] == case.sender, f"sender {msg['sender_status']}"
            if case.errors is not None:
                got = tuple(a["error_code"] for a in msg["attachments"])
                assert got == case.errors, f"attachment errors {got[:5]}, expected {case.errors[:5]}"
                for att in msg["attachments"]:
                    assert (att["status"] == "ok") == (att["error_code"] is None), att
            if case.check is not None:
                case.check(msg)
        except AssertionError as e:
            problems.append(f"{case.name}: {e}")
    assert not problems, "\n".join(problems)


def an_unreadable_attachment_is_named_in_the_receipt(batch: Any) -> None:
    app, exported, _cases = batch
    with app.uow() as uow:
        s = uow.session
        rows = s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.kind == "receipt"))
        receipts = {o.message_row_id: o for o in rows}
        whole = receipts[exported["pdf_huge_page"]["id"]].body_text
        assert "huge.pdf" in whole and "无法正常打开（图片尺寸异常）" in whole and "重新发送" in whole
        cut = receipts[exported["base64_cut_mid_quantum"]["id"]].body_text
        assert "文件不完整（传输中被截断）" in cut
        part = receipts[exported["pdf_one_page_too_large"]["id"]].body_text
        assert "mixed.pdf" in part and "第2页无法读取" in part
        # A forged From is never answered with a receipt to the forger; a spoof is not answered at all.
        assert exported["display_name_spoof"]["id"] not in receipts
        assert exported["unregistered"]["id"] not in receipts


def text_layers_with_nul_are_read_by_ocr_and_nul_is_never_stored(batch: Any) -> None:
    app, exported, _cases = batch
    with app.uow() as uow:
        s = uow.session
        pages = s.scalars(select(m.Page).join(m.Attachment).where(
            m.Attachment.message_id == exported["nul_in_text_layer"]["id"])).all()
        assert [p.source for p in pages] == ["tesseract"]
        assert "2026" in pages[0].text and "\x00" not in pages[0].text
        body = s.get(m.Message, exported["nul_in_body"]["id"])
        assert body is not None and "\x00" not in body.body_text and "正文" in body.body_text
