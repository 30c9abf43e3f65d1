"""`filing eval`: compare what the system decided (the export JSON) with a corpus's truth.json.

Pure functions over two dicts. Each concern produces an `EvalSection` (metrics with targets plus
optional tables); `render` prints them for the CLI. Other concerns (matching, reminders) add their
own `evaluate_*` functions returning the same type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from extract.understanding.casenumber import case_key
from terms.status import DECISION_TYPES, DocType

__all__ = ["EvalSection", "Metric", "Table", "coverage", "evaluate_understanding", "render"]

DOC_TYPES: tuple[str, ...] = tuple(DocType)  # the confusion table's order
UNREADABLE = frozenset({"encrypted", "corrupt", "empty"})


@dataclass(frozen=True)
class Metric:
    name: str
    numerator: int
    denominator: int
    target: float | None = None  # minimum acceptable rate; None = informational

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def passed(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class EvalSection:
    name: str
    metrics: tuple[Metric, ...]
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(m.passed is not False for m in self.metrics)


# ---------------------------------------------------------------- alignment helpers


def _walk(attachments: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for att in attachments:
        yield att
        yield from _walk(att.get("members") or [])


# Messages the pipeline is expected to set aside before reading them.
NOT_READ = frozenset({"quarantine", "ignore_duplicate"})


def _truth_attachments(truth: dict[str, Any], skip_actions: frozenset[str] = NOT_READ) -> dict[str, dict[str, Any]]:
    """Unique attachments (by sha256) that hold documents, in delivery order."""
    out: dict[str, dict[str, Any]] = {}
    for msg in truth.get("messages", []):
        if msg.get("expected_action") in skip_actions:
            continue
        for att in _walk(msg.get("attachments") or []):
            if att.get("documents") and att.get("sha256") and att["sha256"] not in out:
                out[att["sha256"]] = att
    return out


def _export_documents(export: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Documents the system found per attachment sha256 (first copy of a file that has any)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for msg in export.get("messages", []):
        for att in msg.get("attachments") or []:
            sha = att.get("sha256")
            docs = att.get("documents") or []
            if sha and docs and sha not in out:
                out[sha] = list(docs)
    return out


def _pages(doc: dict[str, Any], page_count: int) -> tuple[int, int]:
    pages = doc.get("pages")
    if not pages or pages[0] is None:
        return (1, page_count)
    return (int(pages[0]), int(pages[1]))


def _best_overlap(found: list[dict[str, Any]], first: int, last: int, page_count: int) -> dict[str, Any] | None:
    best: tuple[int, dict[str, Any]] | None = None
    for doc in found:
        a, b = _pages(doc, page_count)
        overlap = min(b, last) - max(a, first) + 1
        if overlap > 0 and (best is None or overlap > best[0]):
            best = (overlap, doc)
    return best[1] if best else None


def _norm_number(s: str | None) -> str | None:
    if not s:
        return None
    key = case_key(s)  # one key for 字第N号 / 字N号, zero padding, brackets and spaces
    if key is not None:
        return key
    return s.replace("(", "（").replace(")", "）").replace("〔", "（").replace("〕", "）").replace(" ", "")


def _accepted_docs(truth: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Documents in messages the bureau accepts (registered senders, not duplicates), readable files."""
    for msg in truth.get("messages", []):
        if msg.get("expected_action") != "accept":
            continue
        for att in _walk(msg.get("attachments") or []):
            if set(att.get("anomalies") or []) & UNREADABLE:
                continue
            yield from att.get("documents") or []


# ---------------------------------------------------------------- understanding


def evaluate_understanding(export: dict[str, Any], truth: dict[str, Any], threshold: float = 0.9) -> EvalSection:
    """Document type, split, case number, hearing time and outcome accuracy against the truth."""
    total = type_ok = split_ok = printed = number_ok = 0
    sure = sure_ok = 0
    skipped = 0
    confusion: Counter[tuple[str, str]] = Counter()
    found_by_sha = _export_documents(export)
    for sha, att in _truth_attachments(truth).items():
        if set(att.get("anomalies") or []) & UNREADABLE:
            skipped += len(att["documents"])
            continue
        found = found_by_sha.get(sha, [])
        page_count = max(
            [d["pages"][1] for d in att["documents"] if d.get("pages")]
            + [_pages(d, 1)[1] for d in found]
            + [1]
        )
        for doc in att["documents"]:
            first, last = _pages(doc, page_count)
            total += 1
            got = _best_overlap(found, first, last, page_count)
            got_type = got.get("type") if got else None
            confusion[(doc["type"], got_type or "(none)")] += 1
            if got is None:
                if doc.get("case_number_printed"):
                    printed += 1
                continue
            type_ok += got_type == doc["type"]
            if doc.get("pages") is None:
                split_ok += len(found) == 1
            else:
                split_ok += _pages(got, page_count) == (first, last)
            conf = got.get("type_confidence", got.get("confidence"))
            if isinstance(conf, int | float) and conf >= threshold:
                sure += 1
                sure_ok += got_type == doc["type"]
            if doc.get("case_number_printed"):
                printed += 1
                number_ok += _norm_number(got.get("case_number")) == _norm_number(doc.get("case"))

    hearing_n, hearing_ok, outcome_n, outcome_ok, case_rows = _case_fields(export, truth)
    metrics = (
        Metric("document type accuracy", type_ok, total, 0.98),
        Metric("split exact (page range)", split_ok, total, 0.95),
        Metric("case number exact (documents that print one)", number_ok, printed, 0.98),
        Metric("hearing time (cases with a summons/appearance record)", hearing_ok, hearing_n, None),
        Metric("outcome (cases with a judgment/ruling)", outcome_ok, outcome_n, 0.98),
        Metric(f"type right when confidence >= {threshold:g}", sure_ok, sure, 0.98),
    )
    notes: list[str] = []
    read = _truth_attachments(truth)
    set_aside = {sha: a for sha, a in _truth_attachments(truth, frozenset()).items() if sha not in read}
    if set_aside:
        n = sum(len(a["documents"]) for a in set_aside.values())
        notes.append(f"{n} document(s) only in quarantined/duplicate messages not scored")
    if skipped:
        notes.append(f"{skipped} document(s) in encrypted/corrupt/empty attachments not scored")
    return EvalSection(
        name="Understanding (split, classify, fields)",
        metrics=metrics,
        tables=(_confusion_table(confusion), *([case_rows] if case_rows.rows else [])),
        notes=tuple(notes),
    )


def _case_fields(export: dict[str, Any], truth: dict[str, Any]) -> tuple[int, int, int, int, Table]:
    by_number = {_norm_number(c.get("case_number")): c for c in export.get("cases", []) if c.get("case_number")}
    seen_types: dict[str, set[str]] = {}
    for doc in _accepted_docs(truth):
        if doc.get("case"):
            seen_types.setdefault(doc["case"], set()).add(doc["type"])
    hearing_n = hearing_ok = outcome_n = outcome_ok = 0
    wrong: list[tuple[str, ...]] = []
    for case in truth.get("cases", []):
        number = case["case_number"]
        types = seen_types.get(number, set())
        got = by_number.get(_norm_number(number), {})
        if case.get("hearing_datetime") and types & {DocType.summons, DocType.appearance_record}:
            hearing_n += 1
            got_at = (got.get("hearing_at") or "")[:16]
            if got_at == case["hearing_datetime"][:16]:
                hearing_ok += 1
            else:
                wrong.append((number, "hearing_at", case["hearing_datetime"], got.get("hearing_at") or "-"))
        if types & set(DECISION_TYPES):
            outcome_n += 1
            if got.get("outcome") == case["outcome"]:
                outcome_ok += 1
            else:
                wrong.append((number, "outcome", case["outcome"], got.get("outcome") or "-"))
    table = Table("Case fields that differ", ("case", "field", "truth", "system"), tuple(wrong))
    return hearing_n, hearing_ok, outcome_n, outcome_ok, table


def _confusion_table(confusion: Counter[tuple[str, str]]) -> Table:
    predicted = [t for t in DOC_TYPES if any(k[1] == t for k in confusion)]
    predicted += sorted({k[1] for k in confusion} - set(DOC_TYPES))
    rows = []
    for actual in DOC_TYPES:
        counts = [confusion.get((actual, p), 0) for p in predicted]
        if any(counts):
            rows.append((actual, *(str(c) if c else "." for c in counts)))
    return Table("Type confusion (rows: truth, columns: system)", ("truth \\ system", *predicted), tuple(rows))


def coverage(export: dict[str, Any], truth: dict[str, Any]) -> tuple[int, int]:
    """(truth messages found in the store by Message-ID, truth messages); none found: the corpus was not imported."""
    stored = {m.get("message_id") for m in export.get("messages", [])}
    wanted = [m.get("message_id") for m in truth.get("messages", []) if m.get("message_id")]
    return sum(1 for mid in wanted if mid in stored), len(wanted)


# ---------------------------------------------------------------- rendering


def _fmt(metric: Metric) -> tuple[str, str, str, str]:
    value = "n/a" if metric.value is None else f"{metric.value * 100:.1f}%"
    target = "" if metric.target is None else f">= {metric.target * 100:.0f}%"
    status = {None: "", True: "ok", False: "BELOW TARGET"}[metric.passed]
    return value, f"{metric.numerator}/{metric.denominator}", target, status


def _table_lines(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)

    widths = [max(width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c) + " " * (w - width(str(c))) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render(sections: Sequence[EvalSection]) -> str:
    """Plain-text report of all sections, metrics first, then tables and notes."""
    out: list[str] = []
    for section in sections:
        out.append(f"== {section.name} ==")
        rows = [(m.name, *_fmt(m)) for m in section.metrics]
        out.extend(_table_lines(("metric", "value", "count", "target", ""), rows))
        for table in section.tables:
            out.append("")
            out.append(table.title)
            out.extend(_table_lines(table.header, table.rows))
        for note in section.notes:
            out.append(f"note: {note}")
        out.append("")
    return "\n".join(out)
