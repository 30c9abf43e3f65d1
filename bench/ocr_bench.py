"""OCR benchmark over the scanned pages of the sample mailbox.

Prints: character error rate against truth_text (NFKC, whitespace removed), share of pages whose
printed case number is recovered exactly after parsing, seconds per page (median, p95) with one
worker and with all cores, pages per minute, peak memory (also on a generated 200-page scan), and
the same figures for plain `pytesseract.image_to_string(lang="chi_sim")` and `ocrmypdf -l chi_sim`.

    .venv/bin/python bench/ocr_bench.py                 # everything (~15 min on 2 cores)
    .venv/bin/python bench/ocr_bench.py --quick         # our engine only, all cores
    .venv/bin/python bench/ocr_bench.py --set deskew=false --set suppress_seals=false   # an ablation
    .venv/bin/python bench/ocr_bench.py --quick --corpus ../shared/corpus/real-dev   # another corpus

Besides the table it prints the per-page CER distribution (median, p90, p99), the pages above 50 % and
80 % CER and how many of those were flagged unreadable, how many pages took the second pass, and the
tesseract processes per page by step (first read, OSD, quarter turns, variants, table cells, sealed
lines, lost lines) with the
images and megapixels each step handed to tesseract. CPU s/page (this process plus its tesseract
children, user+sys) is the figure to compare on a shared machine; wall time is noisy there.
"""

from __future__ import annotations

import argparse
import dataclasses
import email
import email.policy
import hashlib
import io
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from extract.reading.images import PageImage, iter_image_file  # noqa: E402
from extract.reading.pdf import PdfSource  # noqa: E402
from extract.reading.settings import OcrSettings  # noqa: E402
from extract.reading.text import extract_files  # noqa: E402
from extract.types import Page, PageQuality  # noqa: E402
from filing.adapters import extract_settings  # noqa: E402
from filing.config import load_settings  # noqa: E402
from tests.support.corpus import SAMPLE  # noqa: E402  ($FILING_SHARED_DIR/corpus/sample)

SCANNED = {"scan_pdf": "application/pdf", "tiff": "image/tiff", "photo_jpg": "image/jpeg"}


# ---------------------------------------------------------------- sample loading


@dataclass
class TruthPage:
    number: int
    text: str
    rotation: int
    case_number: str | None  # as printed, when this page prints its document's case number


@dataclass
class SampleFile:
    name: str
    data: bytes
    content_type: str
    pages: list[TruthPage] = field(default_factory=list)


def _attachment_blobs(raw: bytes) -> Iterator[bytes]:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        yield data
        if data[:2] == b"PK":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    for info in zf.infolist():
                        yield zf.read(info)
            except zipfile.BadZipFile:
                pass


def compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def load_sample(root: Path = SAMPLE) -> list[SampleFile]:
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    wanted: dict[str, dict] = {}

    def walk(att: dict) -> None:
        if att.get("format") in SCANNED and not att.get("anomalies"):
            wanted[att["sha256"]] = att
        for member in att.get("members", []):
            walk(member)

    for msg in truth["messages"]:
        for att in msg["attachments"]:
            walk(att)
    blobs: dict[str, bytes] = {}
    for msg in truth["messages"]:
        for blob in _attachment_blobs((root / msg["file"]).read_bytes()):
            blobs.setdefault(hashlib.sha256(blob).hexdigest(), blob)
    files = []
    for sha, att in sorted(wanted.items(), key=lambda kv: kv[1]["filename"]):
        if sha not in blobs:
            continue
        sf = SampleFile(name=att["filename"], data=blobs[sha], content_type=SCANNED[att["format"]])
        for doc in att["documents"]:
            texts = (root / doc["truth_text"]).read_text(encoding="utf-8").split("\f")
            rotations = doc.get("page_rotations") or []
            first, last = doc["pages"]
            printed = doc.get("case_number_printed")
            for k, number in enumerate(range(first, last + 1)):
                text = texts[k] if k < len(texts) else ""
                on_page = printed if printed and compact(printed) in compact(text) else None
                sf.pages.append(TruthPage(number, text, rotations[k] if k < len(rotations) else 0, on_page))
        files.append(sf)
    return files


# ---------------------------------------------------------------- metrics


def _case_parser() -> Callable[[str], set[str]]:
    try:
        from extract.understanding.casenumber import find_case_numbers

        return lambda text: {str(cn) for cn, _pos in find_case_numbers(text)}
    except ImportError:
        pattern = re.compile(r"(\d{4})\D{0,3}?([\u4e00-\u9fff]\d{0,4})\W?(行[初终再申审赔监]{1,2})(\d{1,5})号")

        def parse(text: str) -> set[str]:
            flat = compact(text)
            return {f"（{m[1]}）{m[2]}{m[3]}{m[4]}号" for m in pattern.finditer(flat)}

        return parse


PARSE_CASES = _case_parser()


@dataclass
class Score:
    label: str
    pages: int = 0
    errors: int = 0
    truth_chars: int = 0
    cer_rotated_errors: int = 0
    cer_rotated_chars: int = 0
    case_pages: int = 0
    case_hits: int = 0
    upright_ok: int = 0
    rotated_pages: int = 0
    seconds: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user+sys of this process and its children: robust when the machine is shared
    peak_rss_mb: float = 0.0
    failed: int = 0
    cpu_self_s: float = 0.0  # user+sys of this process alone (image work in Python/OpenCV)
    tesseract: str = ""
    details: list[dict[str, object]] = field(default_factory=list)

    def add(self, truth: TruthPage, text: str, rotation: int | None = None, page: Page | None = None) -> None:
        ref, hyp = compact(truth.text), compact(text)
        dist = Levenshtein.distance(hyp, ref)
        self.details.append({"truth_rotation": truth.rotation, "rotation": rotation, "cer": dist / max(1, len(ref)),
                             "case": truth.case_number, "text": text, "truth": truth.text,
                             "confidence": page.confidence if page else None,
                             "quality": str(page.quality) if page else None,
                             "evidence": page.quality_evidence if page else None})
        self.pages += 1
        self.errors += dist
        self.truth_chars += len(ref)
        if truth.rotation:
            self.rotated_pages += 1
            self.cer_rotated_errors += dist
            self.cer_rotated_chars += len(ref)
            if rotation is not None and (rotation - truth.rotation) % 360 == 0:
                self.upright_ok += 1
        if truth.case_number:
            self.case_pages += 1
            expected = PARSE_CASES(truth.case_number)
            if expected and expected <= PARSE_CASES(text):
                self.case_hits += 1

    @property
    def cer(self) -> float:
        return self.errors / max(1, self.truth_chars)

    def row(self) -> dict[str, str]:
        s = sorted(self.seconds)
        med = statistics.median(s) if s else float("nan")
        p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))] if s else float("nan")
        per_page = self.wall_s / max(1, self.pages)
        rot = self.cer_rotated_errors / max(1, self.cer_rotated_chars)
        return {
            "engine": self.label,
            "pages": str(self.pages),
            "CER": f"{100 * self.cer:.2f}%",
            "CER rotated": f"{100 * rot:.1f}%" if self.rotated_pages else "-",
            "case no.": f"{self.case_hits}/{self.case_pages} ({100 * self.case_hits / max(1, self.case_pages):.0f}%)",
            "s/page med": f"{med:.2f}",
            "s/page p95": f"{p95:.2f}",
            "wall s/page": f"{per_page:.3f}",
            "pages/min": f"{60 / per_page:.0f}" if per_page else "-",
            "CPU s/page": f"{self.cpu_s / max(1, self.pages):.3f}",
            "of it python": f"{self.cpu_self_s / max(1, self.pages):.3f}",
            "peak RSS MB": f"{self.peak_rss_mb:.0f}" if self.peak_rss_mb else "-",
            "failed": str(self.failed),
        }


def _quantile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def print_distribution(score: Score) -> None:
    """Per-page CER distribution and what happened to the bad pages (issue 20's figures)."""
    cers = [float(d["cer"]) for d in score.details]  # type: ignore[arg-type]
    if not cers:
        return
    flagged = [d["quality"] == PageQuality.unreadable for d in score.details]
    reread = sum(1 for d in score.details if d["quality"] in (PageQuality.reread, PageQuality.unreadable))
    over50 = [f for c, f in zip(cers, flagged, strict=True) if c > 0.5]
    over80 = [f for c, f in zip(cers, flagged, strict=True) if c >= 0.8]
    rotated = [d for d in score.details if d["truth_rotation"]]
    # truth.json's page_rotations name the clockwise turn that makes the page upright, as Page.rotation does.
    upright = sum(1 for d in rotated if d["rotation"] is not None
                  and (int(d["rotation"]) - int(d["truth_rotation"])) % 360 == 0)  # type: ignore[call-overload]
    print(f"per-page CER ({score.label}): median {100 * statistics.median(cers):.2f}%, "
          f"p90 {100 * _quantile(cers, 0.9):.2f}%, p99 {100 * _quantile(cers, 0.99):.2f}%, "
          f"max {100 * max(cers):.1f}%")
    print(f"pages > 50% CER: {len(over50)} ({sum(over50)} flagged unreadable); "
          f">= 80% CER: {len(over80)} ({sum(over80)} flagged); flagged in all: {sum(flagged)}; "
          f"second pass: {reread}/{len(cers)} pages; rotated pages upright: {upright}/{len(rotated)}")
    sys.stdout.flush()


def print_table(rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        print("| " + " | ".join(r.get(c, "") for c in cols) + " |")
    sys.stdout.flush()


class TesseractCounter:
    """Counts tesseract processes per OCR step by wrapping the adapter's process runner (a bench-only
    patch: the engine itself is not changed). The step is the engine function on the call stack."""

    STEPS = ("_try_quarter_turns", "_orient", "_variant", "_read_tables", "_read_sealed_lines",
             "_recover_lost_lines", "ocr_gray_pages")
    NAMES: ClassVar[dict[str, str]] = {
        "_try_quarter_turns": "quarter turns", "_orient": "OSD/turned", "_variant": "variants",
        "_read_tables": "table cells", "_read_sealed_lines": "sealed lines", "_recover_lost_lines": "lost lines",
        "ocr_gray_pages": "first read"}

    def __init__(self) -> None:
        import threading

        from extract.reading import ocr

        self._ocr = ocr
        self._lock = threading.Lock()
        self.calls: dict[str, int] = {}
        self.images: dict[str, int] = {}
        self.mpx: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._orig = ocr._run

    def _step(self) -> str:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_name in self.STEPS:
                name = frame.f_code.co_name
                if name == "_orient" and {"detect_orientation", "detect_orientations"} & self._stack_names():
                    return "OSD"
                return self.NAMES[name]
            frame = frame.f_back  # type: ignore[assignment]
        return "other"

    def _stack_names(self) -> set[str]:
        names, frame = set(), sys._getframe(3)
        while frame is not None:
            names.add(frame.f_code.co_name)
            frame = frame.f_back  # type: ignore[assignment]
        return names

    @staticmethod
    def _mpx(path: Path) -> float:
        try:
            with open(path, "rb") as fh:
                head = fh.read(64).split()
            return int(head[1]) * int(head[2]) / 1e6 if head[0] in (b"P5", b"P4") else 0.0
        except (OSError, ValueError, IndexError):
            return 0.0

    def __enter__(self) -> TesseractCounter:
        def run(args: list[str], timeout_s: float, cwd: Path, memory_mb: int = 0,
                ) -> subprocess.CompletedProcess[bytes]:
            step = self._step()
            target = Path(args[1])
            imgs = ([Path(line) for line in target.read_text().split()] if target.suffix == ".txt"
                    else [target])
            mpx = sum(self._mpx(p) for p in imgs)
            proc, cpu = self._timed(args, timeout_s, cwd, memory_mb)
            with self._lock:
                self.calls[step] = self.calls.get(step, 0) + 1
                self.images[step] = self.images.get(step, 0) + len(imgs)
                self.mpx[step] = self.mpx.get(step, 0.0) + mpx
                self.cpu[step] = self.cpu.get(step, 0.0) + cpu
            return proc

        self._ocr._run = run
        return self

    def __exit__(self, *exc: object) -> None:
        self._ocr._run = self._orig

    def _timed(self, args: list[str], timeout_s: float, cwd: Path, memory_mb: int = 0,
               ) -> tuple[subprocess.CompletedProcess[bytes], float]:
        """The adapter's run with the child's own CPU time (os.wait4): RUSAGE_CHILDREN deltas would
        mix in the other worker's processes. No timeout or memory limit here (bench only)."""
        import threading

        proc = subprocess.Popen(args, cwd=cwd, env=self._ocr._env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out: dict[str, bytes] = {}
        readers = [threading.Thread(target=lambda k=k, f=f: out.__setitem__(k, f.read()))
                   for k, f in (("out", proc.stdout), ("err", proc.stderr))]
        for t in readers:
            t.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        for t in readers:
            t.join()
        return (subprocess.CompletedProcess(args, proc.returncode, out.get("out", b""), out.get("err", b"")),
                usage.ru_utime + usage.ru_stime)

    def report(self, pages: int) -> str:
        total = sum(self.calls.values())
        parts = [f"{k} {self.calls[k]} calls/{self.images[k]} img/{self.mpx[k]:.0f} Mpx/{self.cpu[k]:.1f} CPU s"
                 for k in sorted(self.calls, key=lambda k: -self.calls[k])]
        return (f"tesseract processes: {total} ({total / max(1, pages):.2f}/page), "
                f"CPU {sum(self.cpu.values()) / max(1, pages):.3f} s/page, images "
                f"{sum(self.images.values()) / max(1, pages):.2f}/page, "
                f"{sum(self.mpx.values()) / max(1, pages):.2f} Mpx/page; " + "; ".join(parts))


def _cpu_s() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# ---------------------------------------------------------------- engines


def _self_cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def run_ours(files: list[SampleFile], settings: OcrSettings, label: str, shared_pool: bool) -> Score:
    score = Score(label)
    counter = TesseractCounter().__enter__()
    start, cpu0, self0 = time.perf_counter(), _cpu_s(), _self_cpu_s()
    if shared_pool:
        # A pipeline hands one message's attachments (or a queue of them) to one pool.
        results = extract_files([(f.data, f.content_type) for f in files], settings)
    else:
        results = []
        for f in files:
            t0 = time.perf_counter()
            res = extract_files([(f.data, f.content_type)], settings)[0]
            elapsed = time.perf_counter() - t0
            if isinstance(res, list):
                res = [dataclasses.replace(p, seconds=elapsed / max(1, len(res))) for p in res]
            results.append(res)
    score.wall_s, score.cpu_s = time.perf_counter() - start, _cpu_s() - cpu0
    score.cpu_self_s = _self_cpu_s() - self0
    counter.__exit__()
    score.tesseract = counter.report(sum(len(f.pages) for f in files))
    for f, res in zip(files, results, strict=True):
        pages = {p.number: p for p in res} if isinstance(res, list) else {}
        for truth in f.pages:
            page: Page | None = pages.get(truth.number)
            if page is None or page.error:
                score.failed += 1
            score.add(truth, page.text if page else "", page.rotation if page else 0, page)
            if page is not None:
                score.seconds.append(page.seconds)
    score.peak_rss_mb = _rss_mb()
    return score


def page_images(f: SampleFile) -> Iterator[tuple[int, object, float]]:
    """The same page images our engine sees (embedded scan or 200-dpi render), unprocessed."""
    if f.content_type == "application/pdf":
        with PdfSource(f.data, 200, 1000, 20, 10**9) as pdf:
            for item in pdf.pages():
                if isinstance(item, PageImage):
                    yield item.number, item.load(), item.dpi
    else:
        for item in iter_image_file(f.data, 10**9):
            if isinstance(item, PageImage):
                yield item.number, item.load(), item.dpi


def run_plain_pytesseract(files: list[SampleFile], workers: int) -> Score:
    import pytesseract

    score = Score(f"pytesseract plain ({workers} thr)")
    jobs = [(f, n, img) for f in files for n, img, _dpi in page_images(f)]
    truth = {(id(f), p.number): p for f in files for p in f.pages}
    os.environ["OMP_THREAD_LIMIT"] = "1"  # as documented in ocr.md; without it it is 3x slower

    def one(job: tuple[SampleFile, int, object]) -> tuple[SampleFile, int, str, float]:
        f, n, img = job
        t0 = time.perf_counter()
        text = pytesseract.image_to_string(img, lang="chi_sim")
        return f, n, text, time.perf_counter() - t0

    start, cpu0 = time.perf_counter(), _cpu_s()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, jobs))
    score.wall_s, score.cpu_s = time.perf_counter() - start, _cpu_s() - cpu0
    for f, n, text, secs in results:
        tp = truth.get((id(f), n))
        if tp is not None:
            score.add(tp, text)
            score.seconds.append(secs)
    score.peak_rss_mb = _rss_mb()
    return score


def run_ocrmypdf(files: list[SampleFile], jobs: int) -> Score:
    import img2pdf
    import pypdfium2 as pdfium

    score = Score(f"ocrmypdf -l chi_sim (--jobs {jobs})")
    start, cpu0 = time.perf_counter(), _cpu_s()
    with tempfile.TemporaryDirectory(prefix="ocrmypdf-bench-") as tmp:
        for i, f in enumerate(files):
            src = Path(tmp) / f"in{i}.pdf"
            if f.content_type == "application/pdf":
                src.write_bytes(f.data)
            else:
                # ocrmypdf takes PDFs; wrap each image page losslessly, as a user would with img2pdf.
                frames = []
                for _n, img, dpi in page_images(f):
                    buf = io.BytesIO()
                    img.save(buf, format="PNG", dpi=(dpi, dpi))  # type: ignore[attr-defined]
                    frames.append(buf.getvalue())
                src.write_bytes(img2pdf.convert(frames))
            dst = Path(tmp) / f"out{i}.pdf"
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "ocrmypdf", "-l", "chi_sim", "--jobs", str(jobs),
                                   "--output-type", "pdf", "-q", str(src), str(dst)], capture_output=True, check=False)
            secs = time.perf_counter() - t0
            texts: dict[int, str] = {}
            if proc.returncode == 0 and dst.exists():
                doc = pdfium.PdfDocument(str(dst))
                for k in range(len(doc)):
                    texts[k + 1] = doc[k].get_textpage().get_text_range()
                doc.close()
            else:
                score.failed += len(f.pages)
            for tp in f.pages:
                score.add(tp, texts.get(tp.number, ""))
                score.seconds.append(secs / max(1, len(f.pages)))
    score.wall_s, score.cpu_s = time.perf_counter() - start, _cpu_s() - cpu0
    score.peak_rss_mb = _children_rss_mb()
    return score


# ---------------------------------------------------------------- 200-page PDF


def build_long_scan(files: list[SampleFile], pages: int, path: Path) -> None:
    """A `pages`-page scanned PDF made of the sample's scan pages, one embedded JPEG each."""
    sys.path.insert(0, str(ROOT))
    from tests.support.documents import scanned_pdf_from_jpegs

    jpegs: list[bytes] = []
    for f in files:
        if f.content_type != "application/pdf":
            continue
        for _n, img, _dpi in page_images(f):
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=80, dpi=(200, 200))  # type: ignore[attr-defined]
            jpegs.append(buf.getvalue())
            if len(jpegs) >= 40:
                break
        if len(jpegs) >= 40:
            break
    seq = [jpegs[i % len(jpegs)] for i in range(pages)]
    # No cache is passed in this run, so repeated pages are OCR'd like new ones.
    path.write_bytes(scanned_pdf_from_jpegs(seq, dpi=200))


_CHILD = r"""
import json, os, resource, sys, threading, time
sys.path.insert(0, sys.argv[1])
from extract.reading.settings import OcrSettings
from extract.reading.text import extract_pages

# ru_maxrss survives fork+exec on Linux (it would report the benchmark's own size), so sample /proc:
# this process plus every descendant (the tesseract workers), every 100 ms. A child caught between
# fork and exec shows the parent's shared pages, so "largest tesseract" can overstate; tesseract
# itself peaks at ~85 MB (/usr/bin/time -f %M on a batch of 6 pages).
def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def descendants(root):
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for kid in kids.get(pid, []):
            out.append(kid)
            todo.append(kid)
    return out

peak = {"self": 0, "total": 0, "tesseract": 0}
done = threading.Event()
def sample():
    me = os.getpid()
    while not done.is_set():
        own = rss_kb(me)
        kids = [rss_kb(p) for p in descendants(me)]
        peak["self"] = max(peak["self"], own)
        peak["total"] = max(peak["total"], own + sum(kids))
        peak["tesseract"] = max([peak["tesseract"], *kids])
        time.sleep(0.1)
threading.Thread(target=sample, daemon=True).start()

def cpu_s():
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

data = open(sys.argv[2], "rb").read()
settings = OcrSettings(**json.loads(sys.argv[3]))
t0, cpu0 = time.perf_counter(), cpu_s()
pages = extract_pages(data, "application/pdf", settings)
wall, cpu = time.perf_counter() - t0, cpu_s() - cpu0
done.set()
print(json.dumps({"pages": len(pages), "failed": sum(1 for p in pages if p.error), "wall": wall, "cpu": cpu,
                  "python_peak_mb": peak["self"] / 1024, "tesseract_peak_mb": peak["tesseract"] / 1024,
                  "total_peak_mb": peak["total"] / 1024,
                  "preview_mb": sum(len(p.preview_png or b"") for p in pages) / 2**20}))
"""


def run_long_scan(path: Path, settings: OcrSettings) -> dict[str, float]:
    overrides = {k: v for k, v in dataclasses.asdict(settings).items() if v != getattr(OcrSettings(), k)}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(path), json.dumps(overrides)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- main


def _parse_value(raw: str) -> object:
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    for conv in (int, float):
        try:
            return conv(raw)
        except ValueError:
            pass
    return raw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="our engine only, all cores, no baselines/200-page run")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="OcrSettings override")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--no-long", action="store_true", help="skip the 200-page PDF run")
    ap.add_argument("--long-pages", type=int, default=200)
    ap.add_argument("--only-long", action="store_true", help="only the 200-page PDF run")
    ap.add_argument("--dump", type=Path, help="write per-page texts as JSON here")
    ap.add_argument("--corpus", type=Path, default=SAMPLE, help="a corpus with truth.json (default: the sample)")
    args = ap.parse_args()

    overrides = {k: _parse_value(v) for k, v in (s.split("=", 1) for s in args.set)}
    # The configured engine (config.yaml + env), as the pipeline runs it, plus --set overrides.
    settings = dataclasses.replace(extract_settings(load_settings()), **overrides)
    cores = os.cpu_count() or 1
    files = load_sample(args.corpus)
    if args.limit:
        files = files[: args.limit]
    n_pages = sum(len(f.pages) for f in files)
    print(f"{args.corpus.name}: {len(files)} scanned files, {n_pages} pages "
          f"({sum(1 for f in files for p in f.pages if p.rotation)} rotated, "
          f"{sum(1 for f in files for p in f.pages if p.case_number)} print a case number); cores={cores}; "
          f"settings overrides: {overrides or 'none'}")
    tver = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    print(f"engine: {tver}")

    if args.only_long:
        run_long(files, settings, cores, args.long_pages)
        return
    rows = []
    all_cores = run_ours(files, dataclasses.replace(settings, workers=cores), f"ours ({cores} workers, shared pool)",
                         shared_pool=True)
    rows.append(all_cores.row())
    print_table(rows)
    print_distribution(all_cores)
    print(all_cores.tesseract)
    if args.dump:
        args.dump.write_text(json.dumps(all_cores.details, ensure_ascii=False, indent=1))
    if not args.quick:
        per_file = run_ours(files, dataclasses.replace(settings, workers=cores),
                            f"ours ({cores} workers, file by file)", shared_pool=False)
        rows.append(per_file.row())
        one = run_ours(files, dataclasses.replace(settings, workers=1), "ours (1 worker)", shared_pool=False)
        rows.append(one.row())
        print_table(rows[-2:])
    if not args.quick and not args.no_baselines:
        plain1 = run_plain_pytesseract(files, 1)
        plain_n = run_plain_pytesseract(files, cores)
        rows += [plain1.row(), plain_n.row()]
        print_table(rows[-2:])
        ocrm = run_ocrmypdf(files, cores)
        rows.append(ocrm.row())
        print_table(rows[-1:])
        ours_wall = all_cores.wall_s / max(1, all_cores.pages)
        print()
        print("ratios (ours, all cores, shared pool):")
        for other in (plain_n, ocrm):
            other_wall = other.wall_s / max(1, other.pages)
            print(f"  vs {other.label}: CER {all_cores.cer / max(1e-9, other.cer):.2f}x, "
                  f"time per page {ours_wall / other_wall:.2f}x ({other_wall / ours_wall:.1f}x faster)")
    print()
    print("## all runs")
    print_table(rows)
    if not args.quick and not args.no_long:
        run_long(files, settings, cores, args.long_pages)


def run_long(files: list[SampleFile], settings: OcrSettings, cores: int, pages: int) -> None:
    with tempfile.TemporaryDirectory(prefix="long-scan-") as tmp:
        path = Path(tmp) / "long.pdf"
        build_long_scan(files, pages, path)
        size_mb = path.stat().st_size / 2**20
        res = run_long_scan(path, dataclasses.replace(settings, workers=cores))
        print()
        print(f"## {pages}-page scanned PDF ({size_mb:.0f} MB), {cores} workers")
        print(f"pages={res['pages']} failed={res['failed']} wall={res['wall']:.0f}s "
              f"s/page={res['wall'] / max(1, res['pages']):.3f} pages/min={60 * res['pages'] / res['wall']:.0f} "
              f"CPU s/page={res['cpu'] / max(1, res['pages']):.3f}")
        print(f"peak RSS (sampled /proc every 100 ms): python {res['python_peak_mb']:.0f} MB, largest tesseract "
              f"{res['tesseract_peak_mb']:.0f} MB, python + all tesseract at once {res['total_peak_mb']:.0f} MB; "
              f"previews held {res['preview_mb']:.0f} MB")

if __name__ == "__main__":
    main()
