"""The CLI end to end on real SQLite, real files and (for the demo) real tesseract."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from filing.cli import app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "mailbox"


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: var/blobs\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\n"
        f"ocr:\n  cache_path: var/ocr-cache\nmailbox:\n  local_folder: {DEMO}\n"
        "senders:\n  unauthenticated: file\n",  # these tests are about filing, not sender trust
        encoding="utf-8",
    )
    return p


def run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def export(config: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(run(config, "export", "--format", "json", "--as-of", "2026-12-31"))


def test_init_is_idempotent(config: Path) -> None:
    assert "新增 2 个" in run(config, "init")
    assert "新增 0 个" in run(config, "init")


def test_import_files_once_and_exports_the_decisions(config: Path, tmp_path: Path) -> None:
    run(config, "init")
    run(config, "import", str(DEMO / "0002.eml"), str(DEMO / "0003.eml"))
    first = export(config)
    run(config, "import", str(DEMO / "0002.eml"))  # the same file again: nothing new
    copy = tmp_path / "copy.eml"  # the same message with other bytes: recorded as a duplicate
    copy.write_bytes(b"X-Resent: yes\r\n" + (DEMO / "0002.eml").read_bytes())
    run(config, "import", str(copy))
    data = export(config)

    assert len(first["messages"]) == 2
    assert len(data["messages"]) == 3
    by_status = {msg["status"]: msg for msg in data["messages"]}
    assert set(by_status) == {"filed", "quarantined", "duplicate"}
    filed = by_status["filed"]
    assert filed["sender_status"] == "registered" and filed["agency"] == "slj"
    assert by_status["quarantined"]["sender_status"] in ("unregistered", "spoofed")
    att = filed["attachments"][0]
    assert att["filename"] == "答辩状.docx" and re.fullmatch(r"[0-9a-f]{64}", att["sha256"])
    doc = att["documents"][0]
    assert doc["type"] == "defense" and doc["pages"] == [1, 1]
    assert doc["case_number"] == "（2026）鲁0481行初901号"
    # A defense alone cannot start a case: it waits in the review queue.
    assert doc["match"] in ("review", "none") and doc["case_id"] is None
    assert data["cases"] == []
    # Importing again filed nothing twice: the same documents, no new outbox rows.
    assert len(data["outbox"]) == len(first["outbox"])


def test_bad_config_key_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ocr:\n  dpii: 3\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(bad), "init"])
    assert result.exit_code != 0
    assert "ocr.dpii" in str(result.exception) + result.output


@pytest.mark.tesseract
def test_demo_files_the_demo_mailbox(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(ROOT / "demo", home / "demo")
    shutil.copy(ROOT / "config.yaml", home / "config.yaml")
    out = run(home / "config.yaml", "demo")
    assert "（2026）鲁0481行初9" in out  # the case table (the number may wrap)
    data = export(home / "config.yaml")
    statuses = sorted(msg["status"] for msg in data["messages"])
    # 0004 is 0001 sent again; 0008's only attachment is damaged (its store status aside, shown as 附件无法读取)
    assert len(statuses) == 8 and statuses.count("duplicate") == 1 and statuses.count("quarantined") == 1
    case = data["cases"][0]
    assert case["case_number"] == "（2026）鲁0481行初901号"
    assert {"notice_to_respond", "complaint", "defense"} <= set(case["documents"])
    assert (home / "var" / "filing.db").is_file()


def test_queue_lists_and_decides_from_the_terminal(config: Path) -> None:
    run(config, "init")
    run(config, "import", str(DEMO / "0002.eml"))
    listing = run(config, "queue")
    assert "待复核 1 件" in listing and "答辩状" in listing
    doc_id = export(config)["messages"][0]["attachments"][0]["documents"][0]["id"]
    run(config, "queue", "new-case", str(doc_id), "--as", "alice")
    data = export(config)
    doc = data["messages"][0]["attachments"][0]["documents"][0]
    assert doc["match"] == "confirmed"
    assert data["cases"][0]["case_number"] == "（2026）鲁0481行初901号" and data["cases"][0]["agency"] == "slj"
    assert "defense" in data["cases"][0]["documents"]
    assert "待复核 0 件" in run(config, "queue")


def test_a_winmail_dat_from_outlook_is_unpacked_and_filed(config: Path, tmp_path: Path) -> None:
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    from tests.unit.test_tnef import winmail

    original = message_from_bytes((DEMO / "0002.eml").read_bytes(), policy=policy.default)
    assert isinstance(original, EmailMessage)
    docx = next(p for p in original.iter_attachments()).get_content()
    msg = EmailMessage()
    for header in ("From", "To", "Subject", "Date"):
        msg[header] = original[header]
    msg["Message-ID"] = "<winmail-demo@agency.example.invalid>"
    msg.set_content("现报送答辩状（Outlook 发送）。")
    msg.add_attachment(winmail([("答辩状.docx".encode("gbk"), docx)]), maintype="application",
                       subtype="ms-tnef", filename="winmail.dat")
    path = tmp_path / "outlook.eml"
    path.write_bytes(bytes(msg))
    run(config, "init")
    run(config, "import", str(path))
    (message,) = export(config)["messages"]
    assert message["status"] == "filed"
    container, member = message["attachments"]
    assert container["filename"] == "winmail.dat" and container["status"] == "ok"
    assert member["filename"] == "答辩状.docx" and member["parent"] == container["sha256"]
    assert [d["type"] for d in member["documents"]] == ["defense"]
    assert member["documents"][0]["case_number"] == "（2026）鲁0481行初901号"
