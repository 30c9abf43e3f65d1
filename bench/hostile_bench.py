"""Peak memory and time of importing each hostile message alone (`filing import`, one process each).

The messages are the hostile-input suite's (tests/support/hostile.py) plus the issue's original probes
at full size (an 8,900 x 8,900 PNG declaring 52 dpi, a 14,400 x 14,400 pt PDF page, a 30,000 x 30,000
Flate image inside a PDF). Each import runs under an address-space limit so that code without the
guards cannot take the machine down: hitting it is reported as such.

    .venv/bin/python bench/hostile_bench.py                      # this checkout's code
    .venv/bin/python bench/hostile_bench.py --code /work/main    # another checkout (before/after)
    .venv/bin/python bench/hostile_bench.py --only png_issue_8900_52dpi pdf_issue_14400pt_page

Prints one line per message: peak RSS (MB, the largest process: the import or one of its tesseracts),
wall seconds, the message's status and its attachments' error codes; then the maximum of each and
whether every message stayed under --target-mb and --target-s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.documents import text_pdf  # noqa: E402
from tests.support.hostile import AUTHSERV_ID, HostileCase, hostile_cases, mail, pdf, png  # noqa: E402
from tests.support.webdata import notice  # noqa: E402
from tests.support.webdata import text_pdf as cjk_pdf  # noqa: E402


def issue_probes() -> list[HostileCase]:
    """The issue's probes at their original sizes (small on disk, huge when decoded)."""
    return [
        HostileCase("png_issue_8900_52dpi", mail("png_issue_8900_52dpi", [("scan.png", png(8900, 8900, 52))]), "filed"),
        HostileCase("png_issue_8900_52dpi_rgb", mail("png_issue_8900_52dpi_rgb",
                    [("scan.png", png(8900, 8900, 52, rgb=True))]), "filed"),
        HostileCase("pdf_issue_14400pt_page", mail("pdf_issue_14400pt_page", [("huge.pdf", pdf(14400, 14400))]),
                    "incomplete"),
        HostileCase("pdf_issue_30000_image", mail("pdf_issue_30000_image", [("image.pdf", pdf(
            595, 842, (30000, 30000), image_bytes=zlib.compress(b"\xff" * (30000 * 30000), 9)))]), "incomplete"),
    ]


@dataclass
class Result:
    name: str
    peak_mb: float
    seconds: float
    status: str
    errors: list[str | None]
    timed_out: bool
    limit_hit: bool
    returncode: int


def run_one(case: HostileCase, code: Path, work: Path, as_limit_mb: int, timeout_s: float) -> Result:
    home = work / case.name
    home.mkdir(parents=True)
    config = home / "config.yaml"
    config.write_text(
        f"database:\n  url: sqlite:///{home / 'filing.db'}\nstorage:\n  path: {home / 'blobs'}\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\nocr:\n  cache_path: {home / 'ocr-cache'}\n"
        f"senders:\n  authserv_id: {AUTHSERV_ID}\n",
        encoding="utf-8",
    )
    eml = home / f"{case.name}.eml"
    eml.write_bytes(case.raw)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FILING_")}, "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-c", "from filing.cli import main; main()", "--config", str(config)]
    subprocess.run([*cmd, "init"], env=env, cwd=code, check=True, capture_output=True)
    limit = as_limit_mb * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.perf_counter()
    with open(home / "stderr.log", "wb") as err_file:
        proc = subprocess.Popen([*cmd, "import", str(eml)], env=env, cwd=code, stdout=subprocess.DEVNULL,
                                stderr=err_file, preexec_fn=cap)
        timer = threading.Timer(timeout_s, proc.kill)
        timer.start()
        # wait4: this import's own usage, the tesseracts it waited for included (ru_maxrss: the largest).
        _pid, wait_status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
    seconds = time.perf_counter() - start
    returncode = os.waitstatus_to_exitcode(wait_status)
    proc.returncode = returncode
    timed_out = seconds >= timeout_s and returncode < 0
    peak_mb = usage.ru_maxrss / 1024
    stderr = (home / "stderr.log").read_bytes()
    out = subprocess.run([*cmd, "export", "--format", "json"], env=env, cwd=code, capture_output=True, text=True)
    status, errors = "?", list[str | None]()
    try:
        msgs = json.loads(out.stdout)["messages"]
        if msgs:
            status = str(msgs[0]["status"])
            errors = [a.get("error_code") for a in msgs[0]["attachments"]]
    except (ValueError, KeyError):
        status = "export failed"
    text = stderr.decode("utf-8", "replace")
    hit = "MemoryError" in text or "Cannot allocate memory" in text or "std::bad_alloc" in text
    return Result(case.name, peak_mb, seconds, status, errors, timed_out, hit, returncode)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose code imports (default: this one)")
    ap.add_argument("--only", nargs="*", help="message names to run")
    ap.add_argument("--as-limit-mb", type=int, default=4096, help="address-space limit per import")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds before an import is killed")
    ap.add_argument("--target-mb", type=float, default=600.0)
    ap.add_argument("--target-s", type=float, default=60.0)
    args = ap.parse_args()

    cases = [*issue_probes(), *hostile_cases(
        lambda number: cjk_pdf([notice(number, "王示例", "政府信息公开", "二〇二六年三月二日")]),
        text_pdf(password="secret"))]
    if args.only:
        cases = [c for c in cases if c.name in set(args.only)]
    print(f"code: {args.code.resolve()}  address-space limit {args.as_limit_mb} MB  timeout {args.timeout:.0f} s  "
          f"cores {os.cpu_count()}  load {os.getloadavg()[0]:.1f}")
    print(f"{'message':<28} {'peak MB':>8} {'seconds':>8}  status / attachment errors")
    rows = []
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        for case in cases:
            r = run_one(case, args.code.resolve(), Path(tmp), args.as_limit_mb, args.timeout)
            rows.append(r)
            note = " LIMIT HIT" if r.limit_hit else (" TIMEOUT" if r.timed_out else "")
            errs = ",".join(str(e) for e in r.errors[:4]) + ("…" if len(r.errors) > 4 else "")
            print(f"{r.name:<28} {r.peak_mb:>8.0f} {r.seconds:>8.1f}  {r.status} [{errs}]{note}", flush=True)
    worst_mb = max(r.peak_mb for r in rows)
    worst_s = max(r.seconds for r in rows)
    ok = all(not r.limit_hit and not r.timed_out for r in rows) and worst_mb < args.target_mb \
        and worst_s < args.target_s
    print(f"max peak {worst_mb:.0f} MB, max {worst_s:.1f} s over {len(rows)} messages: "
          f"{'every one under' if ok else 'NOT all under'} {args.target_mb:.0f} MB and {args.target_s:.0f} s")


if __name__ == "__main__":
    main()
