"""The sample and real-dev corpora import to the same export on SQLite and on PostgreSQL, together
with a PDF whose text layer carries NUL characters (which PostgreSQL refuses in text).

Real parts throughout (tesseract, both databases). OCR runs once per page: both databases share one
OCR cache ($FILING_TEST_OCR_CACHE, else a directory of this test session).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from filing.bootstrap import bootstrap
from filing.commands.core import import_files, init_app
from filing.config import load_settings
from filing.export import build_export
from filing.service import missing_for_cases
from store import models as m
from tests.support.corpus import SHARED
from tests.support.databases import drop_pg_database, make_pg_database
from tests.support.hostile import PdfPage, mail, pdf_pages

pytestmark = [pytest.mark.postgres, pytest.mark.tesseract, pytest.mark.slow]
CORPORA = ["sample", "real-dev"]


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("FILING_TEST_OCR_CACHE")
    return Path(given) if given else tmp_path_factory.mktemp("corpus-ocr-cache")


def _import(corpus: Path, extra: Path, db_url: str, home: Path, cache: Path) -> dict[str, Any]:
    home.mkdir()
    config = home / "config.yaml"
    config.write_text(
        f"database:\n  url: {db_url}\nstorage:\n  path: {home / 'blobs'}\n"
        f"agencies:\n  registry: {corpus / 'agencies.yaml'}\nocr:\n  cache_path: {cache}\n"
        "senders:\n  unauthenticated: file\n",  # corpus mail carries no authentication
        encoding="utf-8",
    )
    app = bootstrap(load_settings(config, environ={}))
    init_app(app)
    import_files(app, [*sorted((corpus / "messages").glob("*.eml")), extra], quiet=True)
    with app.uow() as uow:
        s = uow.session
        export = build_export(s, date(2026, 12, 31), lambda s2, cases, d: missing_for_cases(app, s2, cases, d))
        assert not [p.id for p in s.scalars(select(m.Page)) if "\x00" in p.text]
    app.engine.dispose()
    return export


@pytest.mark.parametrize("name", CORPORA)
def test_corpus_exports_the_same_on_sqlite_and_postgresql(name: str, tmp_path: Path, ocr_cache: Path) -> None:
    corpus = SHARED / "corpus" / name
    if not (corpus / "messages").is_dir():
        pytest.skip(f"{name} corpus not present under {SHARED}")
    agencies = yaml.safe_load((corpus / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    registered = next(a["addresses"][0] for a in agencies if a.get("addresses"))
    extra = tmp_path / "nul-text-layer.eml"
    extra.write_bytes(mail("nul_text_layer", [("日期.pdf", pdf_pages(
        [PdfPage(text="2O26 2O27 Hello world this is a test of text", nul_chars="O")]))], sender=registered, ar=[]))
    lite = _import(corpus, extra, f"sqlite:///{tmp_path / 'lite.db'}", tmp_path / "lite", ocr_cache)
    pg_name = make_pg_database()
    try:
        pg = _import(corpus, extra, f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}", tmp_path / "pg",
                     ocr_cache)
    finally:
        drop_pg_database(pg_name)
    assert len(lite["messages"]) == len(list((corpus / "messages").glob("*.eml"))) + 1
    assert not [x for x in lite["messages"] if x["status"] == "failed"]
    for key in ("messages", "cases", "outbox"):
        assert lite[key] == pg[key], f"{key} differ between SQLite and PostgreSQL: {_difference(lite[key], pg[key])}"


def _difference(a: Any, b: Any, path: str = "") -> str:
    """Where two exports first differ, and how."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return _difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _difference(x, y, f"{path}[{i}]")
    return f"{path}: {str(a)[:300]!r} != {str(b)[:300]!r}"
