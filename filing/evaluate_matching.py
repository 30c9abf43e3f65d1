"""`filing eval`, matching section: is every automatic filing right, and how often is it automatic?"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from extract.understanding.casenumber import case_key
from filing.evaluate import UNREADABLE, EvalSection, Metric, Table, _best_overlap, _walk
from terms.status import ACCEPTED_MATCHES, MessageStatus

if TYPE_CHECKING:
    from filing.export import ReviewView


def _export_messages(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    # A duplicate shares its Message-ID with the delivery that was filed: the filed one wins.
    for m in sorted(export.get("messages", []), key=lambda m: m.get("status") == MessageStatus.duplicate):
        if m.get("message_id"):
            out.setdefault(m["message_id"], m)
    return out


def _truth_docs(truth: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    for msg in truth.get("messages", []):
        if msg.get("expected_action") != "accept":
            continue
        for att in _walk(msg.get("attachments") or []):
            if set(att.get("anomalies") or []) & UNREADABLE:
                continue
            for doc in att.get("documents") or []:
                yield msg, att, doc


def _found(export_msg: dict[str, Any], att: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any] | None:
    docs = [
        d
        for a in export_msg.get("attachments", [])
        if a.get("sha256") == att.get("sha256")
        for d in a.get("documents", [])
    ]
    pages = doc.get("pages") or [1, 10_000]
    return _best_overlap(docs, int(pages[0]), int(pages[1]), 10_000)


Probes = dict[int, dict[str, list[dict[str, Any]]]]
# The scenarios of cases.suggest_store, as the report names them.
SCENARIO_NAMES = {"withheld": "if withheld from auto-filing", "hidden": "if its own number were unreadable"}


def _known_elsewhere(export: dict[str, Any]) -> dict[Any, set[Any]]:
    """Per case, the documents filed to it (a case known only through the probed document itself
    would not exist had that document waited for review: it needs a new case, not a suggestion)."""
    out: dict[Any, set[Any]] = {}
    for msg in export.get("messages", []):
        for att in msg.get("attachments", []):
            for d in att.get("documents", []):
                if d.get("case_id") is not None and d.get("match") in ACCEPTED_MATCHES:
                    out.setdefault(d["case_id"], set()).add(d.get("id"))
    return out


def _reasons(item: dict[str, Any] | None) -> str:
    if item is None:
        return "-"
    return f"{item.get('score', 0):.2f} " + "；".join(item.get("reasons") or []) or "-"


def evaluate_probes(export: dict[str, Any], truth: dict[str, Any], probes: Probes) -> EvalSection:
    """Every document of a known case ranked as if it waited for review: right case on top, in the top 3,
    absent; and every miss with what outranked the right case and why."""
    numbers = {c["id"]: c.get("case_number") for c in export.get("cases", [])}
    ids = {n: i for i, n in numbers.items() if n}
    filed = _known_elsewhere(export)
    messages = _export_messages(export)
    tally = {sc: [0, 0, 0, 0, 0, 0] for sc in SCENARIO_NAMES}  # probed, top 1, top 3, absent, defaults, right
    new_case = new_case_asked = 0
    misses: list[tuple[str, ...]] = []
    for tmsg, att, doc in _truth_docs(truth):
        emsg = messages.get(tmsg.get("message_id") or "")
        found = _found(emsg, att, doc) if emsg else None
        case_id = ids.get(doc.get("case") or "")
        if found is None or case_id is None or found.get("id") not in probes:
            continue
        if not filed.get(case_id, set()) - {found.get("id")}:
            # Its case would not be known: the right answer is a new case, and no default.
            new_case += 1
            hidden = probes[found["id"]].get("hidden") or []
            if hidden and hidden[0].get("default"):
                misses.append((doc.get("doc_id", "?"), "hidden", str(doc.get("case")), "new case",
                               str(numbers.get(hidden[0].get("case_id"))), _reasons(hidden[0]), "-"))
            else:
                new_case_asked += 1
            continue
        for sc, ranked in probes[found["id"]].items():
            if sc not in tally:
                continue
            t = tally[sc]
            order = [c.get("case_id") for c in ranked]
            t[0] += 1
            t[1] += order[:1] == [case_id]
            t[2] += case_id in order[:3]
            t[3] += case_id not in order
            if ranked and ranked[0].get("default"):
                t[4] += 1
                t[5] += order[0] == case_id
            if order[:1] != [case_id]:
                pos = order.index(case_id) + 1 if case_id in order else None
                misses.append((
                    doc.get("doc_id", "?"), sc, str(doc.get("case")), str(pos or "absent"),
                    str(numbers.get(order[0]) if order else "-"), _reasons(ranked[0] if ranked else None),
                    _reasons(ranked[pos - 1] if pos else None),
                ))
    metrics: list[Metric] = []
    for sc, (n, top1, top3, absent, defaults, right) in tally.items():
        name = SCENARIO_NAMES[sc]
        metrics += [
            Metric(f"{name}: right case on top", top1, n, 0.9),
            Metric(f"{name}: right case in the top 3", top3, n, 0.98),
            Metric(f"{name}: right case absent", absent, n, None),
            Metric(f"{name}: defaults to the right case", right, defaults, 1.0),
        ]
    header = ("doc", "scenario", "truth", "rank", "top", "top's evidence", "right case's evidence")
    title = "review suggestions: right case not on top, or a default where a new case is needed"
    tables = (Table(title, header, tuple(misses)),) if misses else ()
    metrics.append(Metric(f"{SCENARIO_NAMES['hidden']}, case known only through it: no default offered",
                          new_case_asked, new_case, 1.0))
    return EvalSection(name="review suggestions (every document as if it waited)", metrics=tuple(metrics),
                       tables=tables)


def evaluate_matching(export: dict[str, Any], truth: dict[str, Any], threshold: float = 0.5,
                      rankings: Mapping[int, ReviewView] | None = None) -> EvalSection:
    """`rankings` (document id → what review offers, `filing.export.review_rankings`): a queued document of a
    case the store does not know is measured by the new-case form's prefilled number. (How review ranks every
    document as if it had gone there is `evaluate_probes`.)"""
    numbers = {c["id"]: c.get("case_number") for c in export.get("cases", [])}
    messages = _export_messages(export)
    auto = auto_right = belongs = belongs_auto = queued_top1 = queued_top3 = defaults = 0
    queued_known = queued_new = queued_new_asked = 0
    known = {n for n in numbers.values() if n}
    low_defaults = right_defaults = 0
    new_case = prefill_right = prefill_wrong = 0
    # Cases whose key the corpus made up because no number is printed: the right form is an empty one.
    unnumbered = {c.get("case_number") for c in truth.get("cases", []) if c.get("case_key_synthetic")}
    wrong: list[tuple[str, ...]] = []
    for tmsg, att, doc in _truth_docs(truth):
        emsg = messages.get(tmsg.get("message_id") or "")
        found = _found(emsg, att, doc) if emsg else None
        truth_case = doc.get("case")
        if truth_case:
            belongs += 1
        if found is None:
            continue
        status = found.get("match")
        if rankings is not None and truth_case and truth_case not in known and status not in ACCEPTED_MATCHES:
            # The right case does not exist: the reviewer opens it from the new-case form.
            new_case += 1
            view = rankings.get(found.get("id", -1))
            prefill = view.prefill if view else None
            if truth_case in unnumbered:
                prefill_right += prefill is None
                prefill_wrong += prefill is not None
            elif prefill and _same_case(prefill, truth_case):
                prefill_right += 1
            elif prefill:
                prefill_wrong += 1
        if status in ACCEPTED_MATCHES:
            auto += 1
            got = numbers.get(found.get("case_id"))
            if got == truth_case:
                auto_right += 1
                if truth_case:
                    belongs_auto += 1
            else:
                wrong.append((doc.get("doc_id", "?"), doc.get("type", "?"), str(truth_case), str(got)))
        elif truth_case:
            # The reviewer's ranking (suggestions) when the export has it, else the matcher's.
            ranked = found.get("suggestions", found.get("candidates")) or []
            top3 = [numbers.get(c.get("case_id")) for c in ranked[:3]]
            if truth_case in known:
                queued_known += 1
                queued_top1 += top3[:1] == [truth_case]
                queued_top3 += truth_case in top3
            else:
                # The right answer is a new case: Enter must not file it anywhere.
                queued_new += 1
                queued_new_asked += not any(c.get("default") for c in found.get("suggestions") or [])
        if status not in ACCEPTED_MATCHES and found.get("suggestions"):
            top = found["suggestions"][0]
            if top.get("default"):
                defaults += 1
                right_defaults += numbers.get(top.get("case_id")) == truth_case and bool(truth_case)
                if top.get("score", 0) < threshold:
                    low_defaults += 1
    tables: tuple[Table, ...] = (
        (Table("automatic filings to a wrong case", ("doc", "type", "truth", "filed to"), tuple(wrong)),)
        if wrong
        else ()
    )
    prefill_metrics = (
        (Metric("queued, case not in the store: new-case form prefilled right (its number; empty when none printed)",
                prefill_right, new_case),
         Metric("queued, case not in the store: new-case form prefilled with a wrong number (should be 0)",
                prefill_wrong, new_case))
        if rankings is not None else ()
    )
    return EvalSection(
        name="matching",
        metrics=(
            Metric("auto-match precision", auto_right, auto, 1.0),
            Metric("auto-match rate (documents of a case)", belongs_auto, belongs, 0.9),
            # Only a case the store knows can be on top; the others need a new case.
            Metric("queued with the right (known) case on top", queued_top1, queued_known, 0.9),
            Metric("queued with the right (known) case in the top 3", queued_top3, queued_known, 0.98),
            Metric("queued whose case is not yet known: no default offered", queued_new_asked, queued_new, 1.0),
            Metric("review defaults at or above the confidence threshold", defaults - low_defaults, defaults, 1.0),
            # Enter files to the default: a wrong one is a wrong filing a tired reviewer lets through.
            Metric("review defaults to the right case", right_defaults, defaults, 1.0),
            *prefill_metrics,
        ),
        tables=tables,
    )


# ---------------------------------------------------------------- filing per text form, and why


def _same_case(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    key = case_key(a)
    return key is not None and key == case_key(b)


def _why(found: dict[str, Any], numbers: dict[Any, Any]) -> str:
    """The evidence behind a document's filing decision, shortest useful form."""
    review = [e.removeprefix("review: ") for e in found.get("evidence") or [] if e.startswith("review: ")]
    cands = found.get("candidates") or []
    top = cands[0] if cands else None
    parts = review
    if not parts and top:
        parts = [f"top {numbers.get(top.get('case_id'))}: " + "; ".join(top.get("evidence") or [])]
    if not found.get("case_number"):
        read = next((e for e in found.get("evidence") or [] if e.startswith("no readable case number")), None)
        parts.insert(0, read or "no own case number")
    text = "; ".join(parts) or "no candidate"
    return text if len(text) <= 240 else text[:237] + "..."


def evaluate_filing_by_form(export: dict[str, Any], truth: dict[str, Any]) -> EvalSection:
    """Automatic filing precision, auto rate and own case number exactness per `text_form`, and why
    every document filed wrongly or left for review was (its evidence)."""
    numbers = {c["id"]: c.get("case_number") for c in export.get("cases", [])}
    messages = _export_messages(export)
    tally: dict[str, dict[str, int]] = {}
    why: list[tuple[str, ...]] = []
    for tmsg, att, doc in _truth_docs(truth):
        form = doc.get("text_form") or "document"
        t = tally.setdefault(form, dict.fromkeys(("auto", "right", "belongs", "belongs_auto", "printed", "exact"), 0))
        emsg = messages.get(tmsg.get("message_id") or "")
        found = _found(emsg, att, doc) if emsg else None
        truth_case = doc.get("case")
        t["belongs"] += bool(truth_case)
        if doc.get("case_number_printed"):
            t["printed"] += 1
            t["exact"] += bool(found) and _same_case((found or {}).get("case_number"), truth_case)
        if found is None:
            why.append((doc.get("doc_id", "?"), form, str(truth_case), "not found", "-", "no document on these pages"))
            continue
        status = found.get("match")
        got = numbers.get(found.get("case_id"))
        if status in ACCEPTED_MATCHES:
            t["auto"] += 1
            ok = _same_case(got, truth_case) if truth_case else got is None
            t["right"] += ok
            t["belongs_auto"] += ok and bool(truth_case)
            if ok:
                continue
        elif not truth_case:
            continue
        why.append((doc.get("doc_id", "?"), form, str(truth_case), str(status), str(got or "-"), _why(found, numbers)))
    metrics: list[Metric] = []
    for form in sorted(tally):
        t = tally[form]
        metrics += [
            Metric(f"{form}: automatic filing precision", t["right"], t["auto"], 1.0),
            Metric(f"{form}: auto rate (documents of a case)", t["belongs_auto"], t["belongs"], None),
            Metric(f"{form}: own case number exact", t["exact"], t["printed"], 0.98),
        ]
    tables = (
        (
            Table(
                "why: documents filed wrongly or left for review",
                ("doc", "form", "truth", "status", "filed to", "evidence"),
                tuple(why),
            ),
        )
        if why
        else ()
    )
    return EvalSection(name="filing by text form", metrics=tuple(metrics), tables=tables)
