"""The report over a database of known cases, built with the ORM, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from filing.bootstrap import App, bootstrap
from filing.config import Settings
from filing.report.build import build_report
from filing.report.types import AgencyRow, Period, Report
from store import models as m
from store.migrate import upgrade

Q3 = Period.quarter("2026Q3")
AS_OF = date(2026, 12, 31)
ROOT = Path(__file__).resolve().parents[2]
FILING = Path(sys.executable).parent / "filing"  # the installed console script
PERSON_FACTS = {"notice_date", "hearing_at", "head_present", "head_principal", "outcome", "decision_type",
                "decision_date"}


class Builder:
    def __init__(self, s: Any) -> None:
        self.s = s
        self.n = 0

    def agency(self, code: str, name: str) -> m.Agency:
        a = m.Agency(code=code, name=name, short_name=name.removeprefix("滕州市"))
        self.s.add(a)
        self.s.flush()
        return a

    def case(self, number: str, agency: m.Agency, **kw: Any) -> m.Case:
        """Facts given here stand for a person's entries: they count without a document showing them
        (a fact read from mail counts only once its document arrived)."""
        human = sorted(k for k in kw if k in PERSON_FACTS)
        c = m.Case(case_number=number, case_type=kw.pop("case_type", "行初"), agency_id=agency.id,
                   agency_role="defendant", plaintiffs=[], third_parties=[], human_fields=human, **kw)
        self.s.add(c)
        self.s.flush()
        return c

    def doc(self, case: m.Case, doc_type: str, received: date, **fields: Any) -> m.Document:
        """One document in its own filed message, received at 10:00 Beijing time on `received`."""
        self.n += 1
        msg = m.Message(raw_sha256=f"{self.n:064x}", source="import", status="filed", state="notified",
                        agency_id=case.agency_id, sender_status="registered",
                        received_at=datetime(received.year, received.month, received.day, 2, 0, tzinfo=UTC))
        self.s.add(msg)
        self.s.flush()
        att = m.Attachment(message_id=msg.id, seq=1, filename=f"{self.n}.pdf", content_type="application/pdf",
                           sha256=f"{self.n:064x}", size=1)
        self.s.add(att)
        self.s.flush()
        d = m.Document(attachment_id=att.id, first_page=1, last_page=1, doc_type=doc_type, case_id=case.id,
                       case_number=case.case_number, match_status="auto", fields=fields)
        self.s.add(d)
        self.s.flush()
        return d

    def hearing_fact(self, case: m.Case, at: datetime, summons: m.Document) -> None:
        case.hearing_at = at
        self.s.add(m.CaseFact(case_id=case.id, field="hearing_at", value=at.isoformat(), document_id=summons.id))
        self.s.flush()


def seed(s: Any) -> None:
    b = Builder(s)
    zrj = b.agency("zrj", "滕州市自然资源局")
    gaj = b.agency("gaj", "滕州市公安局")
    b.agency("rsj", "滕州市人力资源和社会保障局")  # no cases: no row
    # Heard twice: the second summons is dated after the first hearing. Principal at the first, deputy at the second.
    twice = b.case("（2026）鲁0481行初101号", zrj, notice_date=date(2026, 6, 2), cause_category="info_disclosure",
                   head_present=True, head_principal=False, outcome="agency_lost", decision_type="judgment",
                   decision_date=date(2026, 9, 10))
    b.doc(twice, "notice_to_respond", date(2026, 6, 4), doc_date="2026-06-02")
    b.doc(twice, "complaint", date(2026, 6, 4))
    s1 = b.doc(twice, "summons", date(2026, 6, 20), doc_date="2026-06-18", hearing_at="2026-07-08T09:00:00")
    b.hearing_fact(twice, datetime(2026, 7, 8, 9), s1)
    b.doc(twice, "appearance_record", date(2026, 7, 9), hearing_at="2026-07-08T09:00:00", head_present=True,
          head_principal=True, head_title="局长")
    s2 = b.doc(twice, "summons", date(2026, 7, 25), doc_date="2026-07-22", hearing_at="2026-08-12T09:00:00")
    b.hearing_fact(twice, datetime(2026, 8, 12, 9), s2)
    b.doc(twice, "appearance_record", date(2026, 8, 13), hearing_at="2026-08-12T09:00:00", head_present=True,
          head_principal=False, head_title="副局长")
    b.doc(twice, "defense", date(2026, 7, 2), doc_date="2026-06-12")  # due 6-22 (端午 6-19): late, received in Q3
    b.doc(twice, "judgment", date(2026, 9, 14), doc_date="2026-09-10")
    # Postponed: the second summons came before the first date; one hearing, staff only.
    moved = b.case("（2026）鲁0481行初102号", zrj, notice_date=date(2026, 6, 5), head_present=False,
                   cause_category="info_disclosure")
    p1 = b.doc(moved, "summons", date(2026, 7, 1), doc_date="2026-06-30")
    b.hearing_fact(moved, datetime(2026, 7, 20, 9), p1)
    p2 = b.doc(moved, "summons", date(2026, 7, 10), doc_date="2026-07-09")
    b.hearing_fact(moved, datetime(2026, 8, 5, 14, 30), p2)
    # First instance lost in Q3, appeal reverses it in Q3: one result, won, on the appeal.
    first = b.case("（2026）鲁0402行初103号", gaj, notice_date=date(2026, 4, 1), cause_category="admin_penalty",
                   outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 7, 3))
    b.case("（2026）鲁04行终104号", gaj, case_type="行终", appeal_of_id=first.id, notice_date=date(2026, 7, 27),
           cause_category="admin_penalty", outcome="agency_won", decision_type="judgment",
           decision_date=date(2026, 9, 25), hearing_at=datetime(2026, 9, 2, 9), head_present=True,
           head_principal=True)
    # Withdrawn without a hearing; a second loss in the same category for 自然资源局 comes from Q1.
    b.case("（2026）鲁0402行初105号", gaj, notice_date=date(2026, 7, 6), outcome="withdrawn", decision_type="ruling",
           decision_date=date(2026, 8, 20))
    b.case("（2026）鲁0481行初106号", zrj, notice_date=date(2025, 12, 1), cause_category="info_disclosure",
           outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 2, 2))


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> Iterator[tuple[App, Path]]:
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  url: {db_url}\nstorage:\n  path: {tmp_path / 'blobs'}\n", encoding="utf-8")
    settings = Settings.model_validate({"database": {"url": db_url}, "storage": {"path": str(tmp_path / "blobs")}})
    app = bootstrap(settings)
    upgrade(app.engine)
    with app.uow() as uow:
        seed(uow.session)
        uow.commit()
    yield app, config
    app.engine.dispose()


def row(report: Report, code: str) -> AgencyRow:
    return next(r for r in report.rows if r.agency is not None and r.agency.code == code)


def nums(fig: Any) -> list[str]:
    return [ref.case_number for ref in fig.items]


def test_every_figure_of_known_cases(seeded: tuple[App, Path]) -> None:
    app, _ = seeded
    rep = build_report(app, Q3, AS_OF)
    assert [r.agency.code for r in rep.rows if r.agency] == ["zrj", "gaj"]
    z, g = row(rep, "zrj"), row(rep, "gaj")
    # 自然资源局: heard twice (101) + one postponed hearing (102) = 3 hearings; principal, deputy, staff only.
    assert nums(z.hearings) == ["（2026）鲁0481行初101号"] * 2 + ["（2026）鲁0481行初102号"]
    assert (z.appeared.value, z.principal.value, z.deputy.value, z.absent.value) == (2, 1, 1, 1)
    assert z.appearance_rate.display == "66.7%"
    assert (z.new_cases.value, z.concluded.value, z.lost.value, z.loss_rate.display) == (0, 1, 1, "100.0%")
    assert "答辩状" in " ".join(ref.note for ref in z.late_filings.items)
    assert nums(z.late_filings) == ["（2026）鲁0481行初101号"]
    # 公安局: the appeal reversed the first-instance loss; the withdrawal is shown apart.
    assert (g.new_cases.value, g.concluded.value) == (2, 3)
    assert (nums(g.judgment_won), g.judgment_lost.value, g.lost.value) == (["（2026）鲁04行终104号"], 0, 0)
    assert (nums(g.withdrawn), g.loss_rate.display) == (["（2026）鲁0402行初105号"], "0.0%")
    assert (g.hearings.value, g.principal.value, g.appearance_rate.display) == (1, 1, "100.0%")
    # Repeated losses: 自然资源局 lost two 信息公开 cases within the trailing year.
    assert [(r.label, r.category_label, len(r.cases)) for r in rep.repeated_losses] == [
        ("滕州市自然资源局", "政府信息公开", 2)]
    t = rep.total
    assert (t.hearings.value, t.appeared.value, t.lost.value, t.loss_rate.display) == (4, 3, 1, "50.0%")


def test_a_document_waiting_in_review_for_the_case_is_not_missing(seeded: tuple[App, Path]) -> None:
    """The agency sent it; the bureau has not yet said which case it is: the report does not charge the
    agency with it (as the reminders and the case page hold it), and does once it is not the case's."""
    from sqlalchemy import select, update

    app, _ = seeded
    number = "（2026）鲁0481行初102号"
    year = Period.between(date(2026, 1, 1), AS_OF)

    def missing_notes() -> list[str]:
        return [ref.note for ref in row(build_report(app, year, AS_OF), "zrj").missing_documents.items
                if ref.case_number == number]

    assert any("起诉状" in n for n in missing_notes())
    with app.uow() as uow:
        case = uow.session.scalar(select(m.Case).where(m.Case.case_number == number))
        waiting = Builder(uow.session)
        waiting.n = 900
        d = waiting.doc(case, "complaint", date(2026, 7, 15))
        d.case_id, d.match_status = None, "review"
        uow.commit()
        doc_id = d.id
    assert not any("起诉状" in n for n in missing_notes())
    with app.uow() as uow:  # another case's number after all: missing again
        other = "（2026）鲁0481行初1号"
        uow.session.execute(update(m.Document).where(m.Document.id == doc_id).values(case_number=other))
        uow.commit()
    assert any("起诉状" in n for n in missing_notes())


def test_quarter_without_hearings_shows_a_dash(seeded: tuple[App, Path]) -> None:
    app, _ = seeded
    rep = build_report(app, Period.quarter("2026Q1"), AS_OF)
    z = row(rep, "zrj")
    assert (z.hearings.value, z.appearance_rate.display, z.appearance_rate.value) == (0, "—", None)
    assert (z.lost.value, z.loss_rate.display) == (1, "100.0%")


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(FILING), "--config", str(config), "report", *args],
                          capture_output=True, timeout=300, cwd=ROOT)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_writes_workbook_json_and_html(seeded: tuple[App, Path], tmp_path: Path) -> None:
    _, config = seeded
    xlsx = tmp_path / "q3.xlsx"
    done = _cli(config, "--quarter", "2026Q3", "--as-of", "2026-12-31", "--format", "xlsx", "-o", str(xlsx))
    assert done.returncode == 0, done.stderr.decode()
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["通报汇总", "案件明细", "数据来源", "单位比率", "季度趋势", "考核扣分"]
    ws = wb["通报汇总"]
    assert ws["A1"].value == "滕州市行政机关行政应诉情况季度通报" and ws.freeze_panes == "C6"
    headers = [ws.cell(row=4, column=c).value for c in range(1, ws.max_column + 1)]
    assert {"单位", "新收案件", "审结案件", "开庭次数", "负责人出庭", "出庭应诉率", "判决结案", "裁定结案", "撤诉",
            "败诉合计", "败诉率", "逾期报备", "缺报文书"} <= set(headers)
    col = {h: i + 1 for i, h in enumerate(headers) if h}
    zrj = next(r for r in range(6, 10) if ws.cell(row=r, column=2).value == "滕州市自然资源局")
    assert ws.cell(row=zrj, column=col["开庭次数"]).value == 3
    assert ws.cell(row=zrj, column=col["出庭应诉率"]).value == pytest.approx(2 / 3)
    assert ws.cell(row=zrj, column=col["出庭应诉率"]).number_format == "0.0%"
    notes = [str(ws.cell(row=r, column=1).value) for r in range(6, ws.max_row + 1)]
    assert any(n.startswith("滕州市自然资源局：政府信息公开类案件败诉2件") for n in notes)
    assert any("败诉率 = 败诉案件数" in n for n in notes)  # the definitions are printed with the table
    sources = [[c.value for c in r] for r in wb["数据来源"].iter_rows(min_row=2)]
    assert ["滕州市公安局", "判决结案胜诉", "（2026）鲁04行终104号"] in [r[:3] for r in sources]
    assert wb["案件明细"].freeze_panes == "A2"

    done = _cli(config, "--quarter", "2026Q1", "--as-of", "2026-12-31", "--format", "json", "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    z = next(r for r in data["rows"] if r["agency"] and r["agency"]["code"] == "zrj")
    assert z["appearance_rate"] == {"numerator": 0, "denominator": 0, "value": None, "display": "—"}

    html = tmp_path / "r.html"
    done = _cli(config, "--from", "2026-07-01", "--to", "2026-08-31", "--as-of", "2026-12-31", "--format", "html",
                "-o", str(html))
    assert done.returncode == 0, done.stderr.decode()
    page = html.read_text(encoding="utf-8")
    assert "2026年7月1日至2026年8月31日" in page and "<svg" in page and "上诉中" in page

    bad = _cli(config, "--quarter", "2026Q5")
    assert bad.returncode == 2 and "“2026Q5”" in bad.stderr.decode() and b"Traceback" not in bad.stderr

    done = _cli(config, "--year", "2026", "--as-of", "2026-12-31", "--format", "json", "-o", "-")
    assert done.returncode == 0, done.stderr.decode()
    year = json.loads(done.stdout)
    assert (year["period"]["key"], year["period"]["label"]) == ("2026", "2026年度")
    assert year["total"]["lost"]["value"] >= 1
    same = _cli(config, "--quarter", "2026", "--as-of", "2026-12-31", "--format", "json", "-o", "-")
    assert json.loads(same.stdout)["total"] == year["total"]

def test_report_reads_only_the_cases_of_its_window_with_the_same_result(seeded: tuple[App, Path]) -> None:
    """Issue 23: the report loads the period's cases (and their appeals and first instances), not the store,
    and says the same as a report over every case."""
    from filing.report.compute import compute_report, report_window
    from filing.report.settings import context_from
    from filing.report.snapshot import load_input

    app, _ = seeded
    with app.uow() as uow:
        b = Builder(uow.session)
        b.n = 1000  # after the seed's messages
        zrj = uow.session.query(m.Agency).filter_by(code="zrj").one()
        # Decided in 2019 without its defense: history, read by no 2026 report.
        old = b.case("（2019）鲁0481行初7号", zrj, notice_date=date(2019, 3, 1), outcome="agency_won",
                     decision_type="judgment", decision_date=date(2019, 6, 1))
        b.doc(old, "notice_to_respond", date(2019, 3, 2), doc_date="2019-03-01")
        # Decided in 2019 and appealed: the 2026 appeal's result needs its first instance.
        parent = b.case("（2019）鲁0481行初8号", zrj, notice_date=date(2019, 3, 1), outcome="agency_lost",
                        decision_type="judgment", decision_date=date(2019, 12, 1))
        b.case("（2026）鲁04行终9号", zrj, case_type="行终", appeal_of_id=parent.id, notice_date=date(2026, 7, 1),
               outcome="withdrawn", decision_type="ruling", decision_date=date(2026, 8, 1))
        uow.commit()
        old_id, parent_id = old.id, parent.id
    ctx = context_from(app.settings)
    for period in (Q3, Period.quarter("2026Q4")):
        window = (report_window(period, ctx.rules), AS_OF)
        with app.uow() as uow:
            scoped = load_input(uow.session, AS_OF, window=window)
            every = load_input(uow.session, AS_OF)
        ids = {c.case_id for c in scoped.cases}
        assert old_id not in ids and parent_id in ids and len(ids) == len(every.cases) - 1
        assert compute_report(scoped, period, ctx) == compute_report(every, period, ctx)
    q3 = build_report(app, Q3, AS_OF)
    assert "（2019）鲁0481行初7号" not in nums(row(q3, "zrj").missing_documents)
    # The withdrawn appeal lets the 2019 judgment stand: the first instance was read although it is old.
    assert any("（2019）鲁0481行初8号" in ref.note for ref in row(q3, "zrj").judgment_lost.items)


def _version(app: App) -> int:
    from filing.report.cache import data_version

    v = data_version(app)
    assert v is not None
    return v


def test_kept_report_is_used_until_the_data_changes(seeded: tuple[App, Path]) -> None:
    """The web's kept report (filing.report.cache) is the same object while nothing changed, and is built
    again after any committed change to what it reads, however it was made (ORM or plain SQL)."""
    from sqlalchemy import delete, update

    from filing.report.cache import kept_report

    app, _ = seeded
    first = kept_report(app, Q3, AS_OF)
    assert kept_report(app, Q3, AS_OF) is first
    assert nums(row(first.report, "zrj").late_filings) == ["（2026）鲁0481行初101号"]
    page = first.made("page", lambda r: object())
    assert first.made("page", lambda r: object()) is page  # made once per kept report
    # A rolled-back change changes nothing.
    before = _version(app)
    with app.uow() as uow:
        uow.session.execute(update(m.Case).values(head_title="x"))
    assert _version(app) == before
    assert kept_report(app, Q3, AS_OF) is first
    # Plain SQL, many rows in one transaction: the late defense is no longer the case's document.
    with app.uow() as uow:
        defense = uow.session.scalar(select_doc("defense"))
        uow.session.execute(update(m.Document).where(m.Document.id == defense).values(match_status="none"))
        uow.session.execute(update(m.Case).values(head_title="y"))
        uow.commit()
    assert _version(app) > before
    second = kept_report(app, Q3, AS_OF)
    assert second is not first
    assert nums(row(second.report, "zrj").late_filings) == []
    assert kept_report(app, Q3, AS_OF) is second
    # A deleted hearing fact (the ORM, another table) is a change too.
    with app.uow() as uow:
        uow.session.execute(delete(m.CaseFact))
        uow.commit()
    assert kept_report(app, Q3, AS_OF) is not second


def test_the_refresh_job_builds_this_quarters_page_only_after_a_change(seeded: tuple[App, Path]) -> None:
    """The scheduler's report_refresh keeps /reports of this quarter built: it builds when nothing is kept
    or the store changed, and otherwise does nothing."""
    from sqlalchemy import update

    from filing.jobs import refresh_report
    from filing.report.cache import EXTRAS_KEY, current_period

    app, _ = seeded
    assert refresh_report(app) is True
    assert refresh_report(app) is False
    today = app.settings.today()
    kept = app.extras[EXTRAS_KEY].peek(current_period(today), today)
    assert kept is not None and any(k.startswith("page:") for k in kept._made)
    with app.uow() as uow:
        uow.session.execute(update(m.Case).values(head_title="z"))
        uow.commit()
    assert refresh_report(app) is True
    assert refresh_report(app) is False


def select_doc(doc_type: str) -> Any:
    from sqlalchemy import select

    return select(m.Document.id).where(m.Document.doc_type == doc_type).order_by(m.Document.id).limit(1)


def test_data_version_rises_once_per_transaction_on_postgresql(seeded: tuple[App, Path]) -> None:
    """On PostgreSQL the trigger runs at commit and raises the number once however many rows changed
    (SQLite raises it per row: it has no deferred or per-transaction triggers)."""
    from sqlalchemy import update

    app, _ = seeded
    if app.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    before = _version(app)
    with app.uow() as uow:
        uow.session.execute(update(m.Case).values(head_title="a"))
        uow.session.execute(update(m.Document).values(title="b"))
        uow.commit()
    assert _version(app) == before + 1


def test_mail_processing_columns_do_not_throw_the_kept_report_away(seeded: tuple[App, Path]) -> None:
    """A worker renews its claim on a message every few seconds: that is no change to the report. A
    message's status is (a quarantined message's documents no longer count)."""
    from sqlalchemy import update

    from filing.report.cache import kept_report

    app, _ = seeded
    first = kept_report(app, Q3, AS_OF)
    with app.uow() as uow:
        uow.session.execute(update(m.Message).values(claimed_by="worker-1", claim_until=datetime.now(UTC)))
        uow.commit()
    assert kept_report(app, Q3, AS_OF) is first
    with app.uow() as uow:
        uow.session.execute(update(m.Message).values(status="quarantined"))
        uow.commit()
    second = kept_report(app, Q3, AS_OF)
    assert second is not first
    assert second.report.total.late_filings.value == 0 < first.report.total.late_filings.value


def test_the_fields_the_database_takes_out_are_those_of_the_whole_dict(seeded: tuple[App, Path]) -> None:
    """The report reads a few keys of each document's fields, taken out by the database (issue 23): the
    same values as the whole decoded dict, booleans, nulls, missing keys and odd values included."""
    from sqlalchemy import select

    from filing.report.snapshot import FIELD_KEYS, _doc, _doc_select

    app, _ = seeded
    with app.uow() as uow:
        s = uow.session
        case = s.scalars(select(m.Case).order_by(m.Case.id)).first()
        assert case is not None
        b = Builder(s)
        b.n = 10_000  # past the seeded messages' serials
        b.doc(case, "appearance_record", date(2026, 8, 1), head_present=False, head_principal=True,
              head_title="副局长 \"代\"\\n", hearing_at="2026-07-30T09:00:00", doc_date=None, other={"a": [1]})
        b.doc(case, "judgment", date(2026, 8, 2), head_present=True, doc_date="2026-08-01", head_title=["x"])
        b.doc(case, "other", date(2026, 8, 3))
        uow.commit()
        dialect = s.get_bind().dialect.name
        taken = [_doc(r) for r in s.execute(_doc_select(dialect).order_by(m.Document.id))]
        whole = [_doc(r) for r in s.execute(_doc_select("any other").order_by(m.Document.id))]
        assert taken == whole and len(taken) > 3
        full = {d.id: d.fields for d in s.scalars(select(m.Document))}
        for d in taken:
            assert all(d.fields.get(k) == full[d.id].get(k) for k in FIELD_KEYS)
        assert {k: taken[-3].fields.get(k) for k in ("head_present", "head_principal", "doc_date")} == {
            "head_present": False, "head_principal": True, "doc_date": None}
