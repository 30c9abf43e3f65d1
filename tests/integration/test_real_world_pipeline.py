"""Other mail parsers' test suites (malformed MIME, CJK charsets, TNEF, nested messages) through the
whole pipeline, every sender registered so that every attachment is unpacked, read and classified."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from filing.bootstrap import bootstrap
from filing.commands.core import import_files, init_app
from filing.config import load_settings
from ingest.parse import parse_message
from store import models as m
from tests.support.corpus import REAL_WORLD

CORPUS = REAL_WORLD / "messages"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.tesseract,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared real-world corpus is not on this machine"),
]


def test_every_real_world_message_is_stored_with_a_clear_status(tmp_path: Path) -> None:
    files = sorted(CORPUS.glob("*.eml"))
    senders = sorted({s for f in files if (s := parse_message(f.read_bytes()).from_address)})
    registry = tmp_path / "agencies.yaml"
    registry.write_text(
        yaml.safe_dump({"agencies": [{"name": "测试单位", "code": "t", "addresses": senders}]}, allow_unicode=True),
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        f"agencies:\n  registry: {registry}\nstorage:\n  path: var/blobs\n"
        "database:\n  url: sqlite:///var/filing.db\nocr:\n  cache_path: var/ocr\n  page_timeout_s: 60\n"
        "senders:\n  unauthenticated: file\n",
        encoding="utf-8",
    )
    app = bootstrap(load_settings(config, environ={}))
    init_app(app)
    results = import_files(app, files, quiet=True)

    assert len(results) == len(files)
    clear = ("filed", "incomplete", "quarantined", "duplicate", "no_attachments")
    assert [r.status for r in results if r.status not in clear] == []
    with app.uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(m.Message)) == len(files)  # none lost
        assert s.scalar(select(func.count()).where(m.Message.state != "done")) == 0
        bad = s.scalars(select(m.Attachment).where(m.Attachment.status.in_(("error", "partial")))).all()
        assert bad, "the corpus holds broken attachments: they must be marked"
        assert all(a.error_code and a.error for a in bad)
        assert s.scalar(select(func.count()).select_from(m.Page)) > 0
