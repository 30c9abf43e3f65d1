"""A page OCR cannot read, end to end: stored as unreadable with its evidence, never taken as read, its
document waits for a person, the export and the staff views show it, and the receipt asks the agency for
a clearer scan of that file (real SQLite/PostgreSQL, real tesseract)."""

from __future__ import annotations

import json
import random
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from filing.cli import app
from filing.web.queries import queue_rows, unreadable_rows
from store import models as m
from store.db import make_engine
from tests.support.degraded import invented_judgment, noise_page, page_image
from tests.support.documents import scanned_pdf

pytestmark = [pytest.mark.tesseract]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: var/blobs\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\n"
        f"ocr:\n  cache_path: var/ocr-cache\n",
        encoding="utf-8",
    )
    return p


def run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def mail(tmp_path: Path) -> Path:
    lines = invented_judgment(random.Random(11))
    pdf = scanned_pdf([page_image(lines).convert("L"), noise_page(random.Random(12))])
    msg = EmailMessage()
    msg["From"] = "示例管理局 <demo-shili@agency.example.invalid>"
    msg["To"] = "filing-demo@example.invalid"
    msg["Subject"] = "报送行政判决书"
    msg["Date"] = "Thu, 12 Nov 2026 09:12:00 +0800"
    msg["Message-ID"] = "<ocrtail-unreadable@agency.example.invalid>"
    msg.set_content("现报送判决书扫描件。")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="判决书.pdf")
    path = tmp_path / "unreadable.eml"
    path.write_bytes(bytes(msg))
    return path


def test_an_unreadable_page_is_flagged_everywhere(config: Path, tmp_path: Path, db_url: str) -> None:
    run(config, "init")
    run(config, "import", str(mail(tmp_path)))
    data = json.loads(run(config, "export", "--format", "json", "--as-of", "2026-12-31"))
    (msg,) = data["messages"]
    (att,) = msg["attachments"]
    assert att["pages_extracted"] == 2
    (flag,) = att["pages_unreadable"]
    assert flag["page"] == 2 and "still poor after every strategy" in flag["evidence"]
    covering = [d for d in att["documents"] if d["pages"][0] <= 2 <= d["pages"][1]]
    assert covering and all(d["match"] != "auto" for d in covering)

    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            pages = s.scalars(select(m.Page).order_by(m.Page.number)).all()
            assert [p.quality for p in pages] == ["ok", "unreadable"]
            (row,) = unreadable_rows(s)
            assert row.filename == "判决书.pdf" and [n for n, _ in row.pages] == [2]
            assert any(r.unreadable_pages == (2,) for r in queue_rows(s))
            receipt = s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.kind == "receipt")).one()
            assert "第2页扫描不清，无法识别，请重新扫描清晰后" in receipt.body_text
            assert "第2页扫描不清" in (receipt.body_html or "")
    finally:
        engine.dispose()
