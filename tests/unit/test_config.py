from __future__ import annotations

from pathlib import Path

import pytest

from filing.config import load_settings
from terms.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "conf" / "config.yaml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_project_config_loads_with_working_defaults() -> None:
    s = load_settings(environ={})
    assert s.database.url.startswith("sqlite:////")
    assert s.storage.path.is_absolute()
    assert s.agencies.registry.is_file()
    assert s.ocr.lang == "chi_sim"
    assert s.assessment.enabled and s.assessment.unperformed_judgment == 2


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    p = write(tmp_path, "storage:\n  path: blobs\ndatabase:\n  url: sqlite:///db/x.db\n")
    s = load_settings(p, environ={})
    assert s.storage.path == (p.parent / "blobs").resolve()
    assert s.database.url == f"sqlite:///{(p.parent / 'db/x.db').resolve()}"


def test_env_overrides_any_key_with_typed_values(tmp_path: Path) -> None:
    p = write(tmp_path, "ocr:\n  dpi: 200\n")
    s = load_settings(p, environ={"FILING_OCR__DPI": "300", "FILING_DATABASE__URL": "postgresql+psycopg://x@h/db",
                                  "FILING_SMTP__PASSWORD": "12345", "FILING_NOTIFY__STAFF_ADDRESSES": "[a@b.cn]"})
    assert s.ocr.dpi == 300
    assert s.database.url == "postgresql+psycopg://x@h/db"
    assert s.smtp.password == "12345"  # stays a string even when it looks like a number
    assert s.notify.staff_addresses == ["a@b.cn"]


@pytest.mark.parametrize(
    ("text", "env", "key"),
    [
        ("ocr:\n  dpii: 200\n", {}, "ocr.dpii"),
        ("ocr:\n  dpi: lots\n", {}, "ocr.dpi"),
        ("mailbox:\n  after_filing: burn\n", {}, "mailbox.after_filing"),
        ("nosuchsection:\n  a: 1\n", {}, "nosuchsection"),
        ("", {"FILING_NOPE__X": "1"}, "FILING_NOPE__X"),
        ("", {"FILING_OCR__WORKERS": "-1"}, "ocr.workers"),
        ("ocr:\n  engine: rapidocr\n", {}, "ocr.engine"),
        ("calendar:\n  timezone: Mars/Olympus\n", {}, "calendar.timezone"),
        ("report:\n  timezone: Asia/Shanghai\n", {}, "report.timezone"),
        ("assessment:\n  lost_case: -1\n", {}, "assessment.lost_case"),
        ("assessment:\n  unperformed_judgment: -1\n", {}, "assessment.unperformed_judgment"),
        ("notify:\n  followup_reminder_workdays: -1\n", {}, "notify.followup_reminder_workdays"),
        ("assessment:\n  cap_per_agency_year: 0\n", {}, "assessment.cap_per_agency_year"),
    ],
)
def test_wrong_keys_and_values_name_the_key(tmp_path: Path, text: str, env: dict[str, str], key: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_settings(p, environ=env)
    assert e.value.key == key


def test_missing_file_and_bad_yaml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml", environ={})
    with pytest.raises(ConfigError, match="YAML"):
        load_settings(write(tmp_path, "a: [1,"), environ={})


def test_filing_config_env_picks_the_file(tmp_path: Path) -> None:
    p = write(tmp_path, "ocr:\n  dpi: 250\n")
    assert load_settings(environ={"FILING_CONFIG": str(p)}).ocr.dpi == 250


def test_today_is_the_day_in_the_configured_timezone(tmp_path: Path) -> None:
    # UTC+14 and UTC-11 are 25 hours apart: their calendar days always differ.
    east = load_settings(write(tmp_path, "calendar:\n  timezone: Pacific/Kiritimati\n"), environ={})
    west = load_settings(environ={"FILING_CALENDAR__TIMEZONE": "Pacific/Pago_Pago"})
    assert east.calendar.timezone == "Pacific/Kiritimati"
    assert east.today() > west.today()
    assert load_settings(environ={}).calendar.timezone == "Asia/Shanghai"
