"""OCR on generated degraded pages (tests/support/degraded.py): per-page CER by kind of damage.

Rotated pages, dithered bilevel TIFFs, blur, low contrast, a red seal over the date, and pages of noise
that nothing can read (those must come out flagged unreadable). Text is invented at run time.

    .venv/bin/python bench/ocr_degraded_bench.py                    # 2 pages of each kind
    .venv/bin/python bench/ocr_degraded_bench.py --per-kind 4 --set reread=false
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import resource
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from extract.reading.settings import OcrSettings  # noqa: E402
from extract.reading.text import extract_files  # noqa: E402
from tests.support.degraded import degraded_set  # noqa: E402


def compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _cpu_s() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-kind", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="OcrSettings override")
    args = ap.parse_args()
    overrides: dict[str, object] = {}
    for item in args.set:
        key, raw = item.split("=", 1)
        overrides[key] = {"true": True, "false": False}.get(raw.lower(), raw)
    settings = dataclasses.replace(OcrSettings(workers=os.cpu_count() or 1), **overrides)  # type: ignore[arg-type]
    pages = degraded_set(args.seed, args.per_kind)
    t0, cpu0 = time.perf_counter(), _cpu_s()
    results = extract_files([(p.data, p.content_type) for p in pages], settings)
    wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    by_kind: dict[str, list[str]] = defaultdict(list)
    cers: list[float] = []
    unflagged_bad = 0
    print("| page | CER | rotation | quality | evidence |")
    print("|---|---|---|---|---|")
    for truth, res in zip(pages, results, strict=True):
        page = res[0] if isinstance(res, list) and res else None
        text = page.text if page else ""
        quality = str(getattr(page, "quality", "-")) if page else "failed"
        if truth.readable:
            ref = compact(truth.truth)
            cer = Levenshtein.distance(compact(text), ref) / max(1, len(ref))
            cers.append(cer)
            if cer > 0.5 and quality != "unreadable":
                unflagged_bad += 1
            cell = f"{100 * cer:.1f}%"
        else:
            cell = "-"
            if quality != "unreadable":
                unflagged_bad += 1
        upright = page is not None and (page.rotation - truth.rotation) % 360 == 0
        by_kind[truth.name].append(f"{cell} {'' if upright else '(not upright) '}{quality}")
        evidence = (getattr(page, "quality_evidence", None) or "")[:160] if page else ""
        print(f"| {truth.name} | {cell} | {page.rotation if page else '-'} | {quality} | {evidence} |")
    print()
    for kind, cells in by_kind.items():
        print(f"{kind:22s} {' | '.join(cells)}")
    print()
    print(f"readable pages: {len(cers)}; per-page CER median {100 * statistics.median(cers):.2f}%, "
          f"mean {100 * statistics.fmean(cers):.2f}%, max {100 * max(cers):.1f}%; "
          f"pages > 50% CER or unreadable left unflagged: {unflagged_bad}")
    print(f"wall {wall:.1f} s ({wall / len(pages):.2f} s/page), CPU {cpu / len(pages):.2f} s/page; "
          f"overrides: {overrides or 'none'}")


if __name__ == "__main__":
    main()
