"""The report as JSON-ready data: every figure with its cases."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from filing.report.assessment import assessment_data
from filing.report.types import Figure, Rate, Report


def to_data(obj: Any) -> Any:
    if isinstance(obj, Figure):
        return {"value": obj.value, "cases": [to_data(ref) for ref in obj.items]}
    if isinstance(obj, Rate):
        return {"numerator": obj.numerator, "denominator": obj.denominator,
                "value": None if obj.value is None else round(obj.value, 4), "display": obj.display}
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_data(x) for x in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(to_data(x) for x in obj)
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    return obj


def report_data(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = to_data(report)
    data["assessment"] = None if report.assessment is None else assessment_data(report.assessment)
    return data
