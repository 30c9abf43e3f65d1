"""The one place configuration comes from: config.yaml, overridden by FILING_<SECTION>__<KEY>.

Relative paths in a config file are relative to that file. Unknown or invalid keys
raise ConfigError naming the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from extract.understanding.vocab import PROVINCES
from terms import dates
from terms.dates import DEFAULT_TIMEZONE, zone
from terms.errors import ConfigError

ENV_PREFIX = "FILING_"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


def _resolve(value: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("base")
    if base is not None and not value.is_absolute():
        return (Path(base) / value).resolve()
    return value


RelPath = Annotated[Path, AfterValidator(_resolve)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(Section):
    url: str = "sqlite:///var/filing.db"
    echo: bool = False


class StorageSettings(Section):
    path: RelPath = Path("var/blobs")


class AgencySettings(Section):
    registry: RelPath = Path("demo/agencies.yaml")


class MailboxSettings(Section):
    host: str = ""
    port: int = 993
    security: Literal["none", "starttls", "tls"] = "tls"
    user: str = ""
    password: str = ""
    oauth2_token: str = ""
    folder: str = "INBOX"
    filed_folder: str = "Filed"
    after_filing: Literal["move", "flag"] = "move"
    flag: str = "$Filed"
    batch_size: int = Field(default=50, ge=1)
    max_message_bytes: int = Field(default=50_000_000, ge=1024)
    timeout_s: float = Field(default=60.0, gt=0)
    retries: int = Field(default=3, ge=0)
    local_folder: RelPath = Path("demo/mailbox")


class SenderSettings(Section):
    authserv_id: str = ""
    verify_dkim: bool = False
    # Registered sender, mail not authenticated (no aligned DKIM pass, no trusted Authentication-Results):
    # review (read it, file nothing without a person), file (trust the From address), quarantine.
    unauthenticated: Literal["review", "file", "quarantine"] = "review"


class UnpackSettings(Section):
    max_depth: int = Field(default=3, ge=0)
    max_members: int = Field(default=200, ge=1)
    max_total_bytes: int = Field(default=300_000_000, ge=1)
    max_ratio: float = Field(default=100.0, gt=1)
    max_member_bytes: int = Field(default=100_000_000, ge=1)
    max_image_pixels: int = Field(default=80_000_000, ge=1)


class OcrSection(Section):
    engine: Literal["tesseract"] = "tesseract"  # the only engine there is; any other value is an error
    lang: str = "chi_sim"
    dpi: int = Field(default=200, ge=70, le=600)
    workers: int = Field(default=0, ge=0)  # 0 = one per core
    page_timeout_s: float = Field(default=120.0, gt=0)
    max_pages: int = Field(default=500, ge=1)
    cache_path: RelPath = Path("var/ocr-cache")
    place_names: list[str] = []  # the jurisdiction's place and court names; OCR text is corrected toward them
    glyph_font: str = ""


def _province(value: str) -> str:
    if value and value not in PROVINCES:
        raise ValueError(f"'{value}' is not a province abbreviation of a case number (鲁, 苏, 京, …)")
    return value


def _court_codes(value: list[str]) -> list[str]:
    for code in value:
        if code[:1] not in PROVINCES or not code[1:].isdigit() or len(code) not in (3, 5):
            raise ValueError(f"'{code}' is not a court code of a case number (鲁04, 鲁0481)")
    return value


def _court_names(value: dict[str, str]) -> dict[str, str]:
    for code, name in value.items():
        modern = code[:1] in PROVINCES and code[1:].isdigit() and len(code) in (1, 3, 5)
        if not modern and code != "最高法":
            raise ValueError(f"'{code}' is not a court code of a case number (鲁, 鲁04, 鲁0481, 最高法)")
        if not name.endswith("法院"):
            raise ValueError(f"'{name}' is not a court's name (…人民法院)")
    return value


_REGION_COURTS = {
    "鲁04": "山东省枣庄市中级人民法院",
    "鲁0402": "山东省枣庄市市中区人民法院",
    "鲁0403": "山东省枣庄市薛城区人民法院",
    "鲁0404": "山东省枣庄市峄城区人民法院",
    "鲁0405": "山东省枣庄市台儿庄区人民法院",
    "鲁0406": "山东省枣庄市山亭区人民法院",
    "鲁0481": "山东省滕州市人民法院",
}


class JurisdictionSettings(Section):
    # The bureau's province as case numbers print it: an unreadable province character in front of a
    # court code is read as this one, and only for the courts listed (all of the province's when
    # empty). Numbers of other provinces are kept as printed. province "" = never guess.
    province: Annotated[str, AfterValidator(_province)] = "鲁"
    courts: Annotated[list[str], AfterValidator(_court_codes)] = Field(
        default_factory=lambda: ["鲁04", "鲁0402", "鲁0403", "鲁0404", "鲁0405", "鲁0406", "鲁0481"]
    )
    # The official names of the courts whose documents the bureau receives, by their code in case
    # numbers: a court name read close to the one of its number's code (束庄市 for 枣庄市, no province)
    # is taken as that name, and a document without a legible header gets it from its number.
    court_names: Annotated[dict[str, str], AfterValidator(_court_names)] = Field(
        default_factory=lambda: dict(_REGION_COURTS)
    )


class MatchingSettings(Section):
    auto_threshold: float = Field(default=0.9, ge=0, le=1)
    margin: float = Field(default=0.25, ge=0, le=1)
    # A review item offers a default case (the primary button, Enter) only from this confidence on.
    default_threshold: float = Field(default=0.5, ge=0, le=1)


class NotifySettings(Section):
    bureau_name: str = "滕州市司法局"
    signature: str = "滕州市司法局 行政应诉备案邮箱"
    from_address: str = "filing@example.invalid"
    staff_addresses: list[str] = Field(default_factory=list)
    receipt_domain: str = "filing.tzsfj.local"
    late_after_workdays: int = Field(default=5, ge=1)
    hearing_reminder_workdays: int = Field(default=2, ge=0)
    escalate_after_workdays: int = Field(default=3, ge=0)
    # A document still in the review queue this many working days after it arrived is listed in the staff
    # digest (its reminders are held meanwhile, so the queue must not sit). 0: never.
    review_alert_after_workdays: int = Field(default=3, ge=0)
    # Rectification (整改) and compliance (履行) due dates: the agency is reminded this many working days
    # before (0: only once overdue), and once more when the date has passed.
    followup_reminder_workdays: int = Field(default=3, ge=0)
    # Hearings within this many working days that no head is planned to attend (有庭必出) are counted in the
    # staff digest. 0: never.
    head_plan_alert_workdays: int = Field(default=3, ge=0)


class SmtpSettings(Section):
    host: str = "127.0.0.1"
    port: int = 25
    security: Literal["none", "starttls", "tls"] = "none"
    user: str = ""
    password: str = ""
    timeout_s: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)


class CalendarYear(Section):
    holidays: list[tuple[str, str]] = Field(default_factory=list)
    makeup_workdays: list[str] = Field(default_factory=list)


class CalendarSettings(Section):
    # Years the chinese-calendar package does not know yet, from the State Council notice.
    overrides: dict[int, CalendarYear] = Field(default_factory=dict)
    makeup_days_count: bool = True
    # The bureau's time zone: "today", the day a message was received, times shown to staff.
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from e
        return value


class WebSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    secret_key: str = ""
    session_minutes: int = Field(default=60, ge=1)
    https_only: bool = False
    # The address staff open the web UI at (links in staff emails); empty: http://host:port.
    public_url: str = ""
    # Reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For / X-Forwarded-Proto are believed; empty: none.
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError as e:
                raise ValueError(f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)") from e
        return value


class SchedulerSettings(Section):
    poll_minutes: float = Field(default=5.0, gt=0)
    remind_at: time = time(8, 30)
    digest_at: time = time(8, 0)
    outbox_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    report_at: time = time(9, 0)  # quarterly report, on the first working day after a quarter ends
    # The web's /reports page of this quarter is rebuilt this often when the store changed (0: only on request).
    report_refresh_seconds: float = Field(default=30.0, ge=0)
    idle: bool = True  # IMAP IDLE between polls, to take new mail within seconds (polls still run)
    lease_seconds: float = Field(default=60.0, gt=0)  # the one-scheduler-per-deployment lease
    claim_seconds: float = Field(default=120.0, gt=0)  # a worker's lease on a message, renewed while it works
    worker_idle_seconds: float = Field(default=2.0, gt=0)  # a worker with nothing to do looks again after this
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)  # SIGTERM: let the current step finish this long
    retry_seconds: float = Field(default=60.0, ge=0)  # a failed step waits this long (doubling) before a retry


class ReportSettings(Section):
    # Blank: the bureau name without 司法局 (滕州市司法局 -> 滕州市).
    city_name: str = ""
    title: str = "{city}行政机关行政应诉情况季度通报"
    # decided: lost / concluded by judgment or ruling with a result; concluded: lost / all concluded.
    loss_denominator: Literal["decided", "concluded"] = "decided"
    withdrawal_counts_as_loss: bool = False
    # Hearings at which nothing shows whether a head appeared: count as not appeared, or leave out.
    unknown_appearance: Literal["absent", "exclude"] = "absent"
    appearance_unit: Literal["hearing", "case"] = "hearing"
    exclude_case_types: list[str] = Field(default_factory=lambda: ["行审", "行审复"])
    repeat_window: Literal["period", "trailing_year"] = "trailing_year"
    repeat_threshold: int = Field(default=2, ge=2)
    trend_quarters: int = Field(default=4, ge=1, le=12)


class AssessmentSettings(Section):
    """Points the bureau deducts in the government's assessment (考核扣分). The Tengzhou notice puts losses
    and non-appearance into the assessment but sets no point values: these are the bureau's own settings."""

    enabled: bool = True
    lost_case: float = Field(default=2.0, ge=0)  # per lost case (effective result counted in the period)
    hearing_without_head: float = Field(default=1.0, ge=0)  # per hearing no head appeared at
    late_filing: float = Field(default=0.5, ge=0)  # per document filed after the working-day deadline
    missing_filing: float = Field(default=0.5, ge=0)  # per document still missing at the period's end
    repeated_loss: float = Field(default=1.0, ge=0)  # extra, per repeat loss of one kind (2nd and later)
    # Per effective judgment or ruling not performed by its due date (compliance tracking, 履行).
    unperformed_judgment: float = Field(default=2.0, ge=0)
    cap_per_agency_year: float | None = Field(default=10.0, gt=0)  # null: no cap


class Settings(Section):
    database: DatabaseSettings = DatabaseSettings()
    storage: StorageSettings = StorageSettings()
    agencies: AgencySettings = AgencySettings()
    mailbox: MailboxSettings = MailboxSettings()
    senders: SenderSettings = SenderSettings()
    unpack: UnpackSettings = UnpackSettings()
    ocr: OcrSection = OcrSection()
    jurisdiction: JurisdictionSettings = JurisdictionSettings()
    matching: MatchingSettings = MatchingSettings()
    notify: NotifySettings = NotifySettings()
    smtp: SmtpSettings = SmtpSettings()
    calendar: CalendarSettings = CalendarSettings()
    web: WebSettings = WebSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    report: ReportSettings = ReportSettings()
    assessment: AssessmentSettings = AssessmentSettings()
    config_path: Path | None = None

    def today(self) -> date:
        """The bureau's calendar day now, in calendar.timezone."""
        return dates.today(self.calendar.timezone)


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        section, key = section.lower(), key.lower()
        if section not in Settings.model_fields or section == "config_path":
            raise ConfigError(name, f"没有这个配置节 “{section}”（unknown section）")
        # YAML scalars, so FILING_OCR__WORKERS=2 is an int and lists can be written inline.
        try:
            value = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError:
            value = raw
        if isinstance(value, (int, float)) and key in {"password", "user", "secret_key", "oauth2_token"}:
            value = raw
        out.setdefault(section, {})[key] = value
    return out


def _key_of(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read a config file (default: $FILING_CONFIG or the project's config.yaml) plus env overrides."""
    environ = os.environ if environ is None else environ
    if path is None:
        path = Path(environ["FILING_CONFIG"]) if environ.get("FILING_CONFIG") else DEFAULT_CONFIG
    path = path.resolve()
    if not path.is_file():
        raise ConfigError(str(path), "找不到配置文件：请用 --config 指定，或设置环境变量 FILING_CONFIG"
                                     "（config file not found）")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(str(path), f"不是有效的 YAML（not valid YAML）：{e}") from e
    if not isinstance(data, dict):
        raise ConfigError(str(path), "顶层应为各配置节的映射（the top level must be a mapping of sections）")
    for section, values in _env_overrides(environ).items():
        current = data.get(section) or {}
        if not isinstance(current, dict):
            raise ConfigError(section, "应为键值映射（must be a mapping）")
        data[section] = {**current, **values}
    data["config_path"] = str(path)
    try:
        settings = Settings.model_validate(data, context={"base": path.parent})
    except ValidationError as e:
        err = e.errors()[0]
        text = "没有这个配置项（unknown key）" if err["type"] == "extra_forbidden" else f"取值无效：{err['msg']}"
        raise ConfigError(_key_of(err["loc"]), text) from e
    return settings.model_copy(update={"database": _resolve_db(settings.database, path.parent)})


def _resolve_db(db: DatabaseSettings, base: Path) -> DatabaseSettings:
    prefix = "sqlite:///"
    if db.url.startswith(prefix) and not db.url.startswith(prefix + "/") and ":memory:" not in db.url:
        return db.model_copy(update={"url": prefix + str((base / db.url[len(prefix) :]).resolve())})
    return db
