"""Translate our one configuration into each stage's own settings objects.

Stages never read config themselves; this is the only place that knows both shapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.compliance import ComplianceRules
from cases.roster_store import roster_sender_addresses
from extract.reading.ocr_cache import DirectoryOcrCache
from extract.reading.settings import OcrSettings
from extract.understanding.casenumber import Jurisdiction
from filing.config import CalendarSettings, Settings
from ingest.mailbox import MailboxSettings as ImapSettings
from ingest.senders import Agency, SenderPolicy, SenderRegistry
from ingest.unpack import UnpackLimits
from notify.receipts import queue_receipt
from notify.settings import NotifySettings as NotifyStageSettings
from notify.smtp import SmtpSettings as SmtpClientSettings
from store import models as m
from terms.rules import MissingRules
from terms.workdays import CalendarConfig, WorkCalendar, YearOverride


def unpack_limits(settings: Settings) -> UnpackLimits:
    u = settings.unpack
    return UnpackLimits(
        max_depth=u.max_depth,
        max_members=u.max_members,
        max_total_uncompressed=u.max_total_bytes,
        max_ratio=u.max_ratio,
        max_member_size=u.max_member_bytes,
        max_image_pixels=u.max_image_pixels,
    )


def jurisdiction(settings: Settings) -> Jurisdiction | None:
    j = settings.jurisdiction
    if not j.province and not j.court_names:
        return None
    # province "" never guesses a province character; the known court names still apply.
    return Jurisdiction(j.province, frozenset(j.courts), tuple(sorted(j.court_names.items())))


def extract_settings(settings: Settings) -> OcrSettings:
    o = settings.ocr
    return OcrSettings(
        engine=o.engine,
        lang=o.lang,
        dpi=o.dpi,
        workers=o.workers,
        page_timeout_s=o.page_timeout_s,
        max_pages=o.max_pages,
        max_image_pixels=settings.unpack.max_image_pixels,
        place_names=place_names(o.place_names, settings.jurisdiction.court_names.values()),
        glyph_font=o.glyph_font,
    )


def place_names(configured: Iterable[str], courts: Iterable[str]) -> tuple[str, ...]:
    """The names OCR text is corrected toward: the configured ones and the known courts' names and parts.

    A court named in `jurisdiction.court_names` needs no second entry in `ocr.place_names`; its name
    without the province and its province, city and district are names too (山东省枣庄市峄城区人民法院 →
    枣庄市峄城区人民法院, 山东省, 枣庄市, 峄城区).
    """
    names = dict.fromkeys(configured)
    for court in courts:
        names[court] = None
        parts = re.findall(r"[^省市区县]+?[省市区县]", court.removesuffix("人民法院"))
        names.update(dict.fromkeys(p for p in parts if len(p) >= 3))
        if len(parts) > 1 and parts[0].endswith("省"):
            names[court.removeprefix(parts[0])] = None
    return tuple(names)


@lru_cache(maxsize=4)
def _cache(path: Path) -> DirectoryOcrCache:
    return DirectoryOcrCache(path)


def ocr_cache(settings: Settings) -> DirectoryOcrCache:
    return _cache(settings.ocr.cache_path)


def sender_registry(s: Session) -> SenderRegistry:
    addresses = {row.address: row.agency.code for row in s.scalars(select(m.AgencyAddress))}
    agencies = tuple(
        Agency(code=a.code, name=a.name, short_name=a.short_name or None)
        for a in s.scalars(select(m.Agency).where(m.Agency.active))
    )
    return SenderRegistry(addresses=addresses, agencies=agencies, roster_addresses=roster_sender_addresses(s))


def sender_policy(settings: Settings) -> SenderPolicy:
    p = settings.senders
    return SenderPolicy(
        authserv_ids=(p.authserv_id,) if p.authserv_id else (),
        verify_dkim=p.verify_dkim,
        require_authentication=p.unauthenticated == "quarantine",
        hold_for_review=p.unauthenticated == "review",
    )


def queue_receipt_for(s: Session, msg: m.Message, settings: Settings) -> None:
    queue_receipt(s, msg.id, notify_settings(settings))


def missing_rules(settings: Settings) -> MissingRules:
    """One filing deadline (5 working days by default) governs lateness and every grace period."""
    late = settings.notify.late_after_workdays
    return MissingRules(late_after_workdays=late, grace_workdays=late, hearing_grace_workdays=late)


def work_calendar(settings: Settings) -> WorkCalendar:
    """The calendar of these settings, shared by every report and sweep that uses them: it remembers
    each year's exceptions and each deadline it worked out (a year costs 365 look-ups the first time)."""
    return _calendar(settings.calendar.model_dump_json())


@lru_cache(maxsize=16)
def _calendar(config: str) -> WorkCalendar:
    cal = CalendarSettings.model_validate_json(config)
    overrides = {
        year: YearOverride.from_ranges(
            [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in y.holidays],
            [date.fromisoformat(d) for d in y.makeup_workdays],
        )
        for year, y in cal.overrides.items()
    }
    return WorkCalendar(CalendarConfig(overrides=overrides, count_makeup_workdays=cal.makeup_days_count))


def imap_settings(settings: Settings) -> ImapSettings:
    b = settings.mailbox
    return ImapSettings(
        host=b.host,
        port=b.port,
        security=b.security,
        user=b.user,
        password=b.password,
        oauth2_token=b.oauth2_token,
        folder=b.folder,
        filed_folder=b.filed_folder,
        after_filing=b.after_filing,
        flag=b.flag,
        batch_size=b.batch_size,
        max_message_bytes=b.max_message_bytes,
        timeout_s=b.timeout_s,
        retries=b.retries,
    )


def smtp_settings(settings: Settings) -> SmtpClientSettings:
    s, n = settings.smtp, settings.notify
    return SmtpClientSettings(
        host=s.host,
        port=s.port,
        security=s.security,
        user=s.user,
        password=s.password,
        timeout_s=s.timeout_s,
        from_address=n.from_address,
        from_name=n.bureau_name,
        max_attempts=s.max_attempts,
    )


def notify_settings(settings: Settings) -> NotifyStageSettings:
    n = settings.notify
    return NotifyStageSettings(
        bureau_name=n.bureau_name,
        signature=n.signature,
        staff_addresses=tuple(n.staff_addresses),
        receipt_domain=n.receipt_domain,
        timezone=settings.calendar.timezone,
        rules=missing_rules(settings),
        calendar=work_calendar(settings).config,
        hearing_lead_workdays=n.hearing_reminder_workdays,
        escalate_after_workdays=n.escalate_after_workdays,
        review_alert_after_workdays=n.review_alert_after_workdays,
        followup_lead_workdays=n.followup_reminder_workdays,
        head_plan_alert_workdays=n.head_plan_alert_workdays,
        web_url=(settings.web.public_url or f"http://{settings.web.host}:{settings.web.port}").rstrip("/"),
    )


def compliance_rules(settings: Settings) -> ComplianceRules:
    n = notify_settings(settings)
    return ComplianceRules(appeal_days_judgment=n.appeal_days_judgment, appeal_days_ruling=n.appeal_days_ruling,
                           final_suffixes=n.final_case_type_suffixes,
                           exclude_case_types=frozenset(settings.report.exclude_case_types))
