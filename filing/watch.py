"""有庭必出 watch: hearings of the coming working days with who is expected to appear, and the calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from cases.plans import PlanView, current_plans, plan_warning
from notify.ics import HearingEvent
from store import models as m
from store.clock import utcnow
from terms.workdays import WorkCalendar

WATCH_WORKDAYS = 10
FEED_PAST_DAYS = 30  # hearings this far back stay in staff calendars


@dataclass(frozen=True)
class HearingRow:
    case_id: int
    case_number: str | None
    agency: str | None
    court: str | None
    hearing_at: datetime
    place: str | None
    plan: PlanView | None
    warning: str | None


def watch_window(today: date, calendar: WorkCalendar, workdays: int = WATCH_WORKDAYS) -> tuple[date, date]:
    """Today through the `workdays`-th working day after it."""
    return today, calendar.add_workdays(today, workdays)


def hearings_between(s: Session, first: date, last: date | None) -> list[HearingRow]:
    stmt = (select(m.Case).options(joinedload(m.Case.agency))
            .where(m.Case.hearing_at >= datetime.combine(first, time.min)).order_by(m.Case.hearing_at, m.Case.id))
    if last is not None:
        stmt = stmt.where(m.Case.hearing_at < datetime.combine(last + timedelta(days=1), time.min))
    cases = list(s.scalars(stmt).unique())
    plans = current_plans(s, cases)
    out = []
    for c in cases:
        assert c.hearing_at is not None
        plan = plans.get(c.id)
        out.append(HearingRow(c.id, c.case_number, c.agency.name if c.agency else None, c.court,
                              c.hearing_at.replace(tzinfo=None), c.hearing_place, plan, plan_warning(plan)))
    return out


def upcoming_hearings(s: Session, today: date, calendar: WorkCalendar) -> list[HearingRow]:
    first, last = watch_window(today, calendar)
    return hearings_between(s, first, last)


def hearing_events(rows: list[HearingRow], uid_domain: str) -> list[HearingEvent]:
    events = []
    for r in rows:
        who = f"{r.plan.name} {r.plan.title or ''}（{r.plan.role_label}）".strip() if r.plan else "未报告"
        lines = [f"案号：{r.case_number or '—'}", f"单位：{r.agency or '—'}", f"法院：{r.court or '—'}",
                 f"拟出庭负责人：{who}"]
        if r.warning:
            lines.append(f"提醒：{r.warning}")
        events.append(HearingEvent(
            uid=f"hearing-{r.case_id}@{uid_domain}", start=r.hearing_at,
            summary=f"{'⚠ ' if r.warning else ''}开庭：{r.agency or ''} {r.case_number or ''}".strip(),
            location=r.place or r.court or "", description="\n".join(lines)))
    return events


# ------------------------------------------------------------------ secret feed URLs


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_feed_token(s: Session, user_id: int) -> str:
    """A new secret for the user's feed; any earlier one stops working. Only its hash is stored."""
    revoke_feeds(s, user_id)
    token = secrets.token_urlsafe(32)
    s.add(m.CalendarFeed(user_id=user_id, token_hash=token_hash(token)))
    s.flush()
    return token


def revoke_feeds(s: Session, user_id: int) -> int:
    n = 0
    for f in s.scalars(select(m.CalendarFeed).where(m.CalendarFeed.user_id == user_id,
                                                    m.CalendarFeed.revoked_at.is_(None))):
        f.revoked_at = utcnow()
        n += 1
    s.flush()
    return n


def active_feed(s: Session, user_id: int) -> m.CalendarFeed | None:
    return s.scalar(select(m.CalendarFeed).where(m.CalendarFeed.user_id == user_id,
                                                 m.CalendarFeed.revoked_at.is_(None)))


def feed_user(s: Session, token: str) -> m.User | None:
    """The active user whose live feed this token opens, or None."""
    if not token or len(token) > 200:
        return None
    feed = s.scalar(select(m.CalendarFeed).where(m.CalendarFeed.token_hash == token_hash(token),
                                                 m.CalendarFeed.revoked_at.is_(None)))
    if feed is None:
        return None
    user = s.get(m.User, feed.user_id)
    return user if user is not None and user.active else None
