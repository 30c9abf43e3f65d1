"""Parse + unpack + sender-check throughput on the corpora, and peak Python memory.

    .venv/bin/python bench/ingest_parse_bench.py [--rounds 3]

Prints messages/s and MB/s per corpus and the largest traced allocation peak of
any single message (tracemalloc, run separately so it does not skew the timing).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import yaml

from ingest.parse import parse_message
from ingest.senders import SenderPolicy, SenderRegistry, check_sender
from ingest.unpack import UnpackLimits, unpack

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _registry() -> SenderRegistry:
    agencies = yaml.safe_load((CORPUS / "sample" / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    return SenderRegistry.from_records(agencies)


def _one(raw: bytes, registry: SenderRegistry) -> int:
    sub = parse_message(raw)
    attachments = unpack(sub.parts, UnpackLimits())
    check_sender(sub, registry, SenderPolicy())
    return len(attachments)


def run(name: str, files: list[Path], rounds: int, registry: SenderRegistry) -> None:
    raws = [f.read_bytes() for f in files]
    total_bytes = sum(len(r) for r in raws)
    best = float("inf")
    attachments = 0
    for _ in range(rounds):
        started = time.perf_counter()
        attachments = sum(_one(raw, registry) for raw in raws)
        best = min(best, time.perf_counter() - started)
    slowest = max((_timed(raw, registry), f.name) for raw, f in zip(raws, files, strict=True))
    peak = 0
    for raw in raws:
        tracemalloc.start()
        _one(raw, registry)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    print(
        f"{name}: {len(raws)} messages, {total_bytes / 1e6:.1f} MB, {attachments} attachments | "
        f"best of {rounds}: {best:.2f} s = {len(raws) / best:.1f} msg/s, {total_bytes / 1e6 / best:.1f} MB/s | "
        f"slowest message {slowest[0] * 1000:.0f} ms ({slowest[1]}) | peak traced memory {peak / 1e6:.1f} MB"
    )


def _timed(raw: bytes, registry: SenderRegistry) -> float:
    started = time.perf_counter()
    _one(raw, registry)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    registry = _registry()
    run("sample", sorted((CORPUS / "sample" / "messages").glob("*.eml")), args.rounds, registry)
    run("real-world", sorted((CORPUS / "real-world-eml" / "messages").glob("*.eml")), args.rounds, registry)


if __name__ == "__main__":
    main()
