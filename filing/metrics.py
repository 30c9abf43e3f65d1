"""Operational figures in the Prometheus text exposition format (version 0.0.4).

Read straight from the database on each scrape, so every process of a deployment
(web, scheduler, workers) reports the same numbers and nothing is lost on restart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from store import models as m
from store.clock import utcnow
from terms.status import PENDING_STATES, MessageState

MESSAGE_STATES = tuple(MessageState)
OCR_SOURCES = ("tesseract", "rapidocr")  # extract.types.PageSource values that mean OCR ran
OUTBOX_STATUSES = ("queued", "sending", "sent", "uncertain", "dead", "cancelled")


@dataclass(frozen=True)
class Sample:
    name: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # gauge | counter
    help: str
    samples: tuple[Sample, ...] = field(default_factory=tuple)


def collect(s: Session, now: datetime | None = None) -> list[Metric]:
    now = now or utcnow()
    by_state = _counts(s, m.Message.state)
    by_status = _counts(s, m.Message.status)
    claimed = s.scalar(select(func.count()).where(m.Message.claimed_by.is_not(None),
                                                   m.Message.state.in_(PENDING_STATES))) or 0
    oldest = s.scalar(select(func.min(m.Message.received_at)).where(m.Message.state.in_(PENDING_STATES)))
    ocr = s.execute(select(func.coalesce(func.sum(m.Page.seconds), 0.0), func.count())
                    .where(m.Page.source.in_(OCR_SOURCES))).one()
    outbox = _counts(s, m.OutboxMessage.status)
    step_seconds = func.coalesce(func.sum(m.StepRun.seconds), 0.0)
    steps = s.execute(select(m.StepRun.step, m.StepRun.outcome, func.count(), step_seconds)
                      .group_by(m.StepRun.step, m.StepRun.outcome)).all()
    age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    statuses = sorted(by_status.items(), key=lambda kv: str(kv[0]))
    jobs = s.scalars(select(m.JobRun)).all()
    return [
        Metric("filing_messages", "gauge", "Messages by pipeline state.",
               tuple(Sample("filing_messages", by_state.get(st, 0), (("state", st),)) for st in MESSAGE_STATES)),
        Metric("filing_messages_by_status", "gauge", "Messages by outcome status.",
               tuple(Sample("filing_messages_by_status", n, (("status", st or ""),)) for st, n in statuses)),
        Metric("filing_queue_length", "gauge", "Messages with pipeline steps still to run.",
               (Sample("filing_queue_length", sum(by_state.get(st, 0) for st in PENDING_STATES)),)),
        Metric("filing_queue_claimed", "gauge", "Pending messages a worker is working on now.",
               (Sample("filing_queue_claimed", claimed),)),
        Metric("filing_queue_oldest_age_seconds", "gauge", "Age of the oldest pending message (0: none).",
               (Sample("filing_queue_oldest_age_seconds", age),)),
        Metric("filing_messages_parked", "gauge", "Messages parked after repeated failures (staff must look).",
               (Sample("filing_messages_parked", by_state.get(MessageState.parked, 0)),)),
        Metric("filing_ocr_seconds_total", "counter", "Seconds spent on OCR, summed over stored pages.",
               (Sample("filing_ocr_seconds_total", float(ocr[0])),)),
        Metric("filing_ocr_pages_total", "counter", "Pages whose text came from OCR.",
               (Sample("filing_ocr_pages_total", int(ocr[1])),)),
        Metric("filing_outbox_messages", "gauge", "Outbox rows by status.",
               tuple(Sample("filing_outbox_messages", outbox.get(st, 0), (("status", st),)) for st in OUTBOX_STATUSES)),
        Metric("filing_outbox_backlog", "gauge", "Emails waiting to be sent (queued or sending).",
               (Sample("filing_outbox_backlog", outbox.get("queued", 0) + outbox.get("sending", 0)),)),
        Metric("filing_step_runs_total", "counter", "Committed pipeline step executions.",
               tuple(Sample("filing_step_runs_total", n, (("step", st), ("outcome", oc))) for st, oc, n, _ in steps)),
        Metric("filing_step_seconds_total", "counter", "Seconds spent in committed pipeline steps.",
               tuple(Sample("filing_step_seconds_total", float(sec), (("step", st), ("outcome", oc)))
                     for st, oc, _, sec in steps)),
        Metric("filing_job_last_success_timestamp_seconds", "gauge", "When each scheduled job last succeeded.",
               tuple(Sample("filing_job_last_success_timestamp_seconds", j.last_ok_at.timestamp(), (("job", j.name),))
                     for j in jobs if j.last_ok_at)),
        Metric("filing_job_runs_total", "counter", "Runs of each scheduled job.",
               tuple(Sample("filing_job_runs_total", j.runs, (("job", j.name),)) for j in jobs)),
    ]


def _counts(s: Session, column: InstrumentedAttribute[str]) -> dict[str, int]:
    return {row[0]: int(row[1]) for row in s.execute(select(column, func.count()).group_by(column))}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(metrics: Iterable[Metric]) -> str:
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for sample in metric.samples:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sample.labels)
            lines.append(f"{sample.name}{{{labels}}} {_number(sample.value)}" if labels
                         else f"{sample.name} {_number(sample.value)}")
    return "\n".join(lines) + "\n"
