"""The CLI as a new user meets it, driven in a real terminal: Chinese values, one-line errors, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.terminal import ROOT, Screen, run_filing

# English status words the tables must not show (the store's keys, not what a person reads).
ENGLISH_VALUES = ("filed", "quarantined", "duplicate", "notice_to_respond", "complaint", "pending", "queued",
                  "receipt", "received")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh copy of the shipped demo and config.yaml, as after a clone."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "demo", home / "demo")
    shutil.copy(ROOT / "config.yaml", home / "config.yaml")
    return home


def filing(home: Path, *args: str) -> Screen:
    return run_filing("--config", str(home / "config.yaml"), *args, cwd=home)


def assert_one_line_error(screen: Screen, *words: str, code: int = 2) -> None:
    assert screen.code == code, screen.text
    assert "Traceback" not in screen.text and "╭" not in screen.text, screen.text
    assert len(screen.lines) == 1, screen.text
    line = screen.lines[0]
    assert line.startswith("错误：") and "internal" not in line, line
    for word in words:
        assert word in line, line


@pytest.mark.tesseract
def test_the_demo_speaks_chinese_and_shows_the_review_queue(home: Path) -> None:
    screen = filing(home, "demo")
    assert screen.code == 0, screen.text
    text = screen.text
    rows = {line.split("│")[1].strip(): line for line in text.split("\n") if line.count("│") > 3
            and line.split("│")[1].strip().endswith(".eml")}
    assert "已归档" in rows["0001.eml"] and "2 份已归入案件" in rows["0001.eml"]
    assert "已隔离" in rows["0003.eml"] and "未登记" in rows["0003.eml"]  # the reason, not just the word
    assert "重复邮件" in rows["0004.eml"] and "0001.eml" in rows["0004.eml"]  # and not 新收 = 是
    assert "待复核" in rows["0005.eml"] and "待复核" in rows["0006.eml"]
    assert "附件无法读取" in rows["0008.eml"] and "已归档" not in rows["0008.eml"]
    # The progress line ends on the last message's final state, not on a step name.
    assert "8/8" in text and "0008.eml：附件无法读取" in text
    assert "待复核 2 件" in text and "无，可新建案件" in text and "（2026）鲁0481行初901号（0." in text
    assert "胜诉" in text and "起诉状、答辩状" in text and "回执" in text and "待发送" in text
    for word in ENGLISH_VALUES:
        assert f" {word} " not in text and f"│ {word}" not in text, word

    # README's examples give non-empty results on the demo data.
    listing = filing(home, "queue")
    assert listing.code == 0 and "待复核 2 件" in listing.text
    shown = filing(home, "queue", "show", "5")
    assert shown.code == 0 and "行政机关负责人出庭应诉情况材料" in shown.text and "文书上写有本案原告" in shown.text
    report = filing(home, "report", "--quarter", "2026Q4", "--format", "html", "-o", "var/reports/demo.html")
    assert report.code == 0 and "新收 1" in report.text and "待核实 1" in report.text
    assert "出庭应诉率与败诉率季度趋势" in (home / "var/reports/demo.html").read_text(encoding="utf-8")
    data = json.loads(subprocess.run(
        [sys.executable, "-m", "filing.cli", "--config", str(home / "config.yaml"), "export", "--as-of",
         "2026-12-31"], cwd=home, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, check=True).stdout)
    assert len(data["messages"]) == 8 and data["cases"][0]["outcome"] == "agency_won"
    default = filing(home, "report", "--quarter", "2026Q4")
    assert default.code == 0 and (home / "var/reports/report-2026Q4.xlsx").is_file()


def test_user_mistakes_end_in_one_chinese_line(home: Path) -> None:
    assert filing(home, "init").code == 0
    assert_one_line_error(filing(home, "remind", "--as-of", "2026-13-01"), "--as-of", "YYYY-MM-DD", "2026-13-01")
    assert_one_line_error(filing(home, "export", "--as-of", "yesterday"), "--as-of", "yesterday")
    assert_one_line_error(filing(home, "report", "--to", "2026-02-30", "--from", "2026-01-01"), "--to")
    assert_one_line_error(filing(home, "report", "--quarter", "2026Q5"), "2026Q5")
    assert_one_line_error(filing(home, "report", "-o", "/proc/r.html"), "/proc/r.html", "-o")
    assert_one_line_error(filing(home, "report", "-o", "config.yaml/x.html"), "config.yaml/x.html", "文件")
    assert_one_line_error(filing(home, "queue", "show", "999"), "999")
    assert_one_line_error(filing(home, "queue", "show", "abc"), "整数")
    assert_one_line_error(filing(home, "queue", "type", "1", "memo"), "1")
    assert_one_line_error(filing(home, "import", "no/such/folder"), "no/such/folder")
    assert_one_line_error(filing(home, "frobnicate"), "frobnicate")
    assert_one_line_error(filing(home, "report", "--bogus"), "--bogus")
    truth = home / "truth.json"
    truth.write_text(json.dumps({"messages": [{"message_id": "<never@example.invalid>"}]}), encoding="utf-8")
    assert_one_line_error(filing(home, "eval", "--truth", str(truth)), "filing import")
    assert_one_line_error(filing(home, "--config", "nowhere.yaml", "init"), "nowhere.yaml")


def test_files_that_are_not_mail_are_refused_by_name(home: Path) -> None:
    assert filing(home, "init").code == 0
    (home / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (home / "empty.eml").write_bytes(b"")
    (home / "empty-folder").mkdir()
    screen = filing(home, "import", "scan.pdf", "empty.eml", "config.yaml", "empty-folder")
    assert screen.code == 1 and "Traceback" not in screen.text
    assert "未导入 scan.pdf：这是 PDF 文档，不是邮件" in screen.text
    assert "未导入 empty.eml：文件为空" in screen.text
    assert "未导入 config.yaml：开头没有邮件头" in screen.text
    assert "文件夹 empty-folder 中没有 .eml 邮件文件" in screen.text
    export = subprocess.run([sys.executable, "-m", "filing.cli", "--config", str(home / "config.yaml"), "export"],
                            cwd=home, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                            capture_output=True, check=True)
    assert json.loads(export.stdout)["messages"] == []  # nothing stored, nothing quarantined silently

    # A real message alongside is still filed; the exit code still says something was refused.
    mixed = filing(home, "import", "demo/mailbox/0002.eml", "scan.pdf")
    assert mixed.code == 1 and "0002.eml" in mixed.text and "待复核" in mixed.text and "未导入 scan.pdf" in mixed.text


def test_help_has_no_type_placeholders(home: Path) -> None:
    for args in ((), ("report",), ("serve",), ("user", "add"), ("queue", "confirm")):
        screen = filing(home, *args, "--help")
        assert screen.code == 0, screen.text
        assert "<bool>" not in screen.text and "<str>" not in screen.text, screen.text
    assert "--as-of YYYY-MM-DD" in filing(home, "report", "--help").text


def test_user_add_reads_a_piped_password_and_refuses_an_empty_one(home: Path) -> None:
    assert filing(home, "init").code == 0

    def add(name: str, stdin: bytes) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "filing.cli", "--config", str(home / "config.yaml"), "user",
                               "add", name], input=stdin.decode(), cwd=home, capture_output=True, text=True,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})

    empty = add("clerk1", b"\n")
    assert empty.returncode == 2 and empty.stderr.strip().startswith("错误：密码为空")
    assert "Warning" not in empty.stderr and "Aborted" not in empty.stderr
    first, again = add("clerk1", b"a long password\n"), add("Clerk1", b"another long password\n")
    assert first.returncode == 0 and first.stdout.strip() + first.stderr.strip() == "已新建账号 clerk1（审核员）"
    assert again.returncode == 0 and "已更新账号 clerk1（审核员）" in again.stdout + again.stderr
