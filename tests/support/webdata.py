"""A filing database for the web tests, filled by importing crafted messages through the real pipeline.

Attachments are born-digital PDFs (text layer, no OCR) so the import takes seconds; they still
get page previews. The set covers: cases started by notices, documents that need review,
a hostile subject / filename / document text, and a message from an unregistered sender.
Built once per test session, then copied for each test that changes it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from filing.bootstrap import App, bootstrap
from filing.commands.core import import_files, init_app
from filing.config import load_settings
from store.users import add_user, cheap_hasher

ROOT = Path(__file__).resolve().parents[2]
NOTO_SERIF_CJK = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
CST = timezone(timedelta(hours=8))
SLJ = "demo-shili@agency.example.invalid"  # registered to agency slj in demo/agencies.yaml
STRANGER = "clerk@unregistered.example.org"
XSS = "<script>window.__xss=1</script>"
PASSWORD = "correct horse battery"
ADMIN, REVIEWER = "admin", "reviewer"


def text_pdf(pages: list[list[str]]) -> bytes:
    """A born-digital A4 PDF with a real Chinese text layer (fpdf2 embedding Noto CJK)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=NOTO_SERIF_CJK, collection_font_number=2)  # 2: the Simplified Chinese face
    for lines in pages:
        pdf.add_page()
        pdf.set_font("noto", size=14)
        pdf.set_xy(20, 25)
        pdf.multi_cell(0, 9, "\n".join(lines))
    return bytes(pdf.output())


def notice(number: str, plaintiff: str, cause: str, day: str) -> list[str]:
    return [
        "山东省滕州市人民法院",
        "应诉通知书",
        number,
        "滕州市示例管理局：",
        f"本院已立案受理原告{plaintiff}诉你单位{cause}一案，",
        "现将起诉状副本一份发送给你单位。依照《中华人民共和国",
        "行政诉讼法》第六十七条的规定，你单位应当在收到起诉状",
        "副本之日起十五日内向本院提交作出行政行为的证据和所依据",
        "的规范性文件，并提出答辩状。",
        day,
        "山东省滕州市人民法院",
    ]


def complaint(plaintiff: str, extra: str = "") -> list[str]:
    return [
        "行政起诉状",
        f"原告：{plaintiff}，男，汉族，住滕州市示例街道。",
        "被告：滕州市示例管理局。",
        "诉讼请求：",
        "1. 判令被告依法公开原告申请的政府信息；",
        "2. 本案诉讼费用由被告承担。",
        "事实与理由：",
        "原告向被告申请公开有关信息，被告逾期未予答复。",
        *([extra] if extra else []),
        "此致",
        "山东省滕州市人民法院",
        f"具状人：{plaintiff}",
        "2026年2月20日",
    ]


def defense(plaintiff: str, cause: str) -> list[str]:
    return [
        "行政答辩状",
        "答辩人：滕州市示例管理局",
        f"因原告{plaintiff}诉答辩人{cause}一案，现提出答辩如下：",
        "答辩人已于法定期限内依法作出答复，请求依法驳回原告的诉讼请求。",
        "此致",
        "山东省滕州市人民法院",
        "答辩人：滕州市示例管理局",
        "2026年3月18日",
    ]


def eml(n: int, sender: str, display: str, subject: str, when: datetime, body: str,
        files: list[tuple[str, list[list[str]] | bytes]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{display} <{sender}>"
    msg["To"] = "filing@example.invalid"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<webtest-{n:04d}@agency.example.invalid>"
    msg.set_content(body)
    for name, pages in files:
        data = pages if isinstance(pages, bytes) else text_pdf(pages)
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return bytes(msg)


def messages() -> list[bytes]:
    t0 = datetime(2026, 3, 2, 9, 30, tzinfo=CST)
    return [
        eml(1, SLJ, "示例管理局法规科", "应诉材料报备（2026）鲁0481行初901号", t0, "现报送应诉通知书及起诉状。",
            [("应诉通知书.pdf", [notice("（2026）鲁0481行初901号", "王示例", "政府信息公开", "二〇二六年三月二日")]),
             ("起诉状.pdf", [complaint("王示例")])]),
        eml(2, SLJ, "示例管理局法规科", "应诉材料报备（2026）鲁0481行初902号", t0 + timedelta(days=1),
            "现报送应诉通知书。",
            [("应诉通知书.pdf", [notice("（2026）鲁0481行初902号", "李示例", "行政处罚", "二〇二六年三月三日")])]),
        eml(3, SLJ, "示例管理局法规科", "答辩状报备", t0 + timedelta(days=16), "现报送我单位答辩状。",
            [("答辩状.pdf", [defense("王示例", "政府信息公开")[:4], defense("王示例", "政府信息公开")[4:]]),
             ("扫描件.pdf", b"%PDF-1.4\n this file is damaged \n")]),
        eml(4, SLJ, "示例管理局法规科", f"{XSS}补充材料", t0 + timedelta(days=17), f"正文 {XSS}",
            [(f"{XSS}说明.pdf", [complaint("赵示例", extra=XSS)])]),
        eml(5, STRANGER, "滕州市示例管理局", f"{XSS}应诉通知书转报", t0 + timedelta(days=18), "请查收。",
            [("应诉通知书903.pdf", [notice("（2026）鲁0481行初903号", "孙示例", "行政许可", "二〇二六年三月二十日")])]),
        eml(6, SLJ, "示例管理局法规科", "咨询：报备材料的格式", t0 + timedelta(days=19), "请问答辩状需要盖章吗？", []),
    ]


def write_config(root: Path, db_url: str = "sqlite:///var/filing.db") -> Path:
    cfg = root / "config.yaml"
    cfg.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: var/blobs\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\nocr:\n  cache_path: var/ocr-cache\n"
        "web:\n  secret_key: test-secret-key-for-web-tests\n  session_minutes: 30\n"
        "senders:\n  unauthenticated: file\n",
        encoding="utf-8",
    )
    return cfg


def build(root: Path, db_url: str = "sqlite:///var/filing.db") -> None:
    """Init the database, import the messages, add one admin and one reviewer."""
    app = bootstrap(load_settings(write_config(root, db_url), environ={}))
    init_app(app)
    mail_dir = root / "mail"
    mail_dir.mkdir()
    paths = []
    for i, raw in enumerate(messages(), start=1):
        p = mail_dir / f"{i:04d}.eml"
        p.write_bytes(raw)
        paths.append(p)
    import_files(app, paths, quiet=True)
    with app.uow() as uow:
        add_user(uow.session, ADMIN, PASSWORD, "admin", actor="test", hasher=cheap_hasher())
        add_user(uow.session, REVIEWER, PASSWORD, "reviewer", actor="test", hasher=cheap_hasher())
        uow.commit()
    app.engine.dispose()


@dataclass
class WebData:
    root: Path
    app: App


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("webdata")
    build(root)
    return root


@pytest.fixture
def web_data(web_template: Path, tmp_path: Path) -> Iterator[WebData]:
    """A private copy of the imported database and blobs for one test."""
    root = tmp_path / "site"
    shutil.copytree(web_template, root)
    app = bootstrap(load_settings(root / "config.yaml", environ={}))
    yield WebData(root, app)
    app.engine.dispose()


@pytest.fixture
def web_api(web_data: WebData) -> FastAPI:
    """The web app on the test's database, with a cheap password hasher."""
    from filing.web.app import create_app

    return create_app(web_data.app, hasher=cheap_hasher())
