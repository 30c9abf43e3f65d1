"""The tesseract adapter: the only module that runs tesseract.

Speed comes from running one tesseract process per batch of pages (a file list), which pays
the ~0.25 s model load once per batch instead of once per page, and from `OMP_THREAD_LIMIT=1`
(tesseract's own threading made a page 3x slower on 2 cores; parallelism comes from running one
tesseract per worker instead).
"""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from extract.reading.images import Gray, deskew, rotate_quarter
from extract.reading.lost_lines import (
    Box,
    LineBox,
    better_line,
    insert_lines,
    isolated_text,
    missed_regions,
    noise_line,
    padded,
    plausible_line,
    replace_lines,
    weak_lines,
)
from extract.reading.ocr_cache import OcrResult
from extract.reading.quality import Judgement, Reading, judge
from extract.reading.seal_rings import Ring, find_rings, remove_rings
from extract.reading.sealed_lines import group_band, merge_band, seal_band, search_window, unsure_group
from extract.reading.settings import OcrSettings
from extract.reading.tables import Grid, cell_boxes, compose, find_grid, single_line
from extract.reading.variants import VARIANTS, ink, ink_share, text_crop
from extract.types import PageQuality

# A page with less dark ink than this is blank, not unreadable.
BLANK_INK_SHARE = 0.002


class OcrEngineError(Exception):
    """Tesseract failed or its output could not be read."""


class OcrEngineTimeout(OcrEngineError):
    """Tesseract did not finish within the allowed time."""


@dataclass(frozen=True)
class EngineText:
    text: str
    confidence: float  # 0..1 mean word confidence; 0 when no words
    words: int
    # chi_sim reads a page turned by 90° as vertical text, often well: tall text lines are the tell.
    vertical_lines: int = 0
    horizontal_lines: int = 0
    # Every text line the layout found (covered ink) and the ones carrying text, mapped to `text`'s lines.
    boxes: tuple[Box, ...] = ()
    lines: tuple[LineBox, ...] = ()


@dataclass(frozen=True)
class Orientation:
    rotate: int  # degrees clockwise that make the image upright
    confidence: float


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _address_space_limit(memory_mb: int) -> None:
    # Runs in the forked child before exec (preexec_fn): kept to one system call.
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run(args: list[str], timeout_s: float, cwd: Path, memory_mb: int = 0) -> subprocess.CompletedProcess[bytes]:
    """Run tesseract; with `memory_mb` it runs under that address-space limit (a hostile page fails alone)."""
    limit = (lambda: _address_space_limit(memory_mb)) if memory_mb > 0 else None
    try:
        return subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, timeout=timeout_s, check=False,
                              preexec_fn=limit)
    except subprocess.TimeoutExpired as e:
        raise OcrEngineTimeout(f"tesseract took longer than {timeout_s:.0f} s") from e
    except FileNotFoundError as e:
        raise OcrEngineError(f"tesseract not found ({args[0]}): install tesseract-ocr and tesseract-ocr-chi-sim") from e


def _stderr_tail(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return " | ".join(lines[-3:]) or f"exit status {proc.returncode}"


def recognize(images: Sequence[Path], settings: OcrSettings, timeout_s: float, whitelist: str = "") -> list[EngineText]:
    """OCR several page images in one tesseract process; results in input order (`whitelist`: the
    only characters tesseract may output, none when empty).

    Images must already be upright-ish greyscale/bilevel files; `--dpi` is always passed because
    scanners and our own temporary files often lack it and tesseract would then assume 70 dpi.
    """
    if not images:
        return []
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        work = Path(tmp)
        listing = work / "pages.txt"
        listing.write_text("".join(f"{p.resolve()}\n" for p in images), encoding="utf-8")
        args = [settings.tesseract_cmd, str(listing), str(work / "out"), "-l", settings.lang,
                "--dpi", str(settings.ocr_dpi), "--psm", str(settings.psm),
                "-c", f"thresholding_method={settings.thresholding_method}"]
        if whitelist:
            args += ["-c", f"tessedit_char_whitelist={whitelist}"]
        if not settings.detect_inverted:
            args += ["-c", "tessedit_do_invert=0"]
        args += ["txt", "tsv"]
        proc = _run(args, timeout_s, work, settings.tesseract_memory_mb)
        if proc.returncode != 0:
            raise OcrEngineError(f"tesseract failed: {_stderr_tail(proc)}")
        try:
            txt = (work / "out.txt").read_text(encoding="utf-8")
            tsv = (work / "out.tsv").read_text(encoding="utf-8")
        except OSError as e:
            raise OcrEngineError(f"tesseract wrote no output: {_stderr_tail(proc)}") from e
    texts = txt.split("\f")
    if len(texts) == len(images) + 1 and not texts[-1].strip():
        texts.pop()
    if len(texts) != len(images):
        # tesseract skips an unreadable image instead of failing; the caller retries page by page.
        raise OcrEngineError(f"tesseract returned {len(texts)} pages for {len(images)} images: {_stderr_tail(proc)}")
    stats = _page_stats(tsv, len(images))
    out = []
    for t, (conf, words, tall, wide, boxes, text_boxes) in zip(texts, stats, strict=True):
        text = t.strip("\n")
        out.append(EngineText(text=text, confidence=conf, words=words, vertical_lines=tall, horizontal_lines=wide,
                              boxes=tuple(boxes), lines=_map_lines(text, text_boxes)))
    return out


def _map_lines(text: str, text_boxes: list[tuple[Box, float]]) -> tuple[LineBox, ...]:
    """Tesseract's txt output has one line per layout line that carries words: pair them up. Empty
    when the counts differ (then nothing is inserted into the page, see lost_lines.insert_lines)."""
    rows = [i for i, row in enumerate(text.split("\n")) if row.strip()]
    if len(rows) != len(text_boxes):
        return ()
    return tuple(LineBox(box, i, conf) for (box, conf), i in zip(text_boxes, rows, strict=True))


@dataclass
class _LineAcc:
    box: Box
    conf_sum: float = 0.0
    words: int = 0


_PageStats = tuple[float, int, int, int, list[Box], list[tuple[Box, float]]]


def _page_stats(tsv: str, pages: int) -> list[_PageStats]:
    """Per page: mean word confidence (0..1), words, tall text lines, wide text lines, the boxes of
    all layout lines, and those of the lines that carry text (in reading order) with their mean word
    confidence."""
    sums = [0.0] * pages
    counts = [0] * pages
    tall = [0] * pages
    wide = [0] * pages
    boxes: list[list[Box]] = [[] for _ in range(pages)]
    text_lines: list[list[_LineAcc]] = [[] for _ in range(pages)]
    line: tuple[int, Box] | None = None  # the layout line the following words belong to
    current: _LineAcc | None = None
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        page = int(row.get("page_num") or 1) - 1
        if not 0 <= page < pages:
            continue
        if row.get("level") == "4":
            w, h = int(row.get("width") or 0), int(row.get("height") or 0)
            if h > 3 * w:
                tall[page] += 1
            elif w > 3 * h:
                wide[page] += 1
            line = (page, (int(row.get("left") or 0), int(row.get("top") or 0), w, h))
            boxes[page].append(line[1])
            current = None
            continue
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        if line is not None and line[0] == page:
            current = _LineAcc(line[1])
            text_lines[page].append(current)
            line = None
        conf = float(row.get("conf") or -1)
        if conf < 0:
            continue
        sums[page] += conf
        counts[page] += 1
        if current is not None:
            current.conf_sum += conf
            current.words += 1
    out: list[_PageStats] = []
    for p in range(pages):
        lines = [(acc.box, acc.conf_sum / acc.words / 100.0 if acc.words else 0.0) for acc in text_lines[p]]
        n = counts[p]
        out.append((sums[p] / n / 100.0 if n else 0.0, n, tall[p], wide[p], boxes[p], lines))
    return out


_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ORIENT_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


def detect_orientation(image: Path, settings: OcrSettings, timeout_s: float) -> Orientation | None:
    """Tesseract OSD (psm 0); None when it cannot decide (too little text).

    `min_characters_to_try=20` cuts OSD from ~1.3 s to ~0.5 s on an A4 page at no loss we could
    measure: a court page has hundreds of characters.
    """
    args = [settings.tesseract_cmd, str(image.resolve()), "stdout", "--psm", "0", "--dpi", str(settings.ocr_dpi),
            "-c", "min_characters_to_try=20"]
    proc = _run(args, timeout_s, image.parent, settings.tesseract_memory_mb)
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    rot, conf = _ROTATE.search(out), _ORIENT_CONF.search(out)
    if proc.returncode != 0 or not rot or not conf:
        return None
    return Orientation(rotate=int(rot.group(1)) % 360, confidence=float(conf.group(1)))


def detect_orientations(images: Sequence[Path], settings: OcrSettings, timeout_s: float,
                        ) -> list[Orientation | None]:
    """detect_orientation of several images in one tesseract process, so its start-up is paid once;
    the same answer for each image as one process per image gives. Tesseract stops at the first
    image with too little text to decide: that one is asked alone and the run goes on after it."""
    out: list[Orientation | None] = [None] * len(images)
    start = 0
    while start < len(images):
        rest = images[start:]
        if len(rest) == 1:
            out[start] = _detect(rest[0], settings, timeout_s)
            break
        try:
            found = _osd_run(rest, settings, timeout_s * len(rest))
        except OcrEngineError:
            # A run that failed as a whole (a timeout) is not tried again: each page fails alone.
            out[start:] = [_detect(p, settings, timeout_s) for p in rest]
            break
        k = 0
        while k in found:
            out[start + k] = found[k]
            k += 1
        if start + k < len(images):
            out[start + k] = _detect(rest[k], settings, timeout_s)
        start += k + 1
    return out


def _osd_run(images: Sequence[Path], settings: OcrSettings, timeout_s: float) -> dict[int, Orientation]:
    with tempfile.TemporaryDirectory(prefix="osd-") as tmp:
        work = Path(tmp)
        listing = work / "pages.txt"
        listing.write_text("".join(f"{p.resolve()}\n" for p in images), encoding="utf-8")
        args = [settings.tesseract_cmd, str(listing), "stdout", "--psm", "0", "--dpi", str(settings.ocr_dpi),
                "-c", "min_characters_to_try=20"]
        proc = _run(args, timeout_s, work, settings.tesseract_memory_mb)
    return _osd_pages(proc.stdout.decode("utf-8", "replace"), len(images))


_PAGE_NUMBER = re.compile(r"^Page number:\s*(\d+)\s*$", re.MULTILINE)


def _osd_pages(out: str, pages: int) -> dict[int, Orientation]:
    """Per image index, the OSD of a multi-image run (one "Page number: k" block per image it decided)."""
    marks = list(_PAGE_NUMBER.finditer(out))
    found: dict[int, Orientation] = {}
    for k, mark in enumerate(marks):
        block = out[mark.end() : marks[k + 1].start() if k + 1 < len(marks) else len(out)]
        rot, conf = _ROTATE.search(block), _ORIENT_CONF.search(block)
        index = int(mark.group(1))
        if rot and conf and 0 <= index < pages:
            found[index] = Orientation(rotate=int(rot.group(1)) % 360, confidence=float(conf.group(1)))
    return found


def tesseract_version(settings: OcrSettings) -> str:
    proc = _run([settings.tesseract_cmd, "--version"], 30, Path.cwd())
    first = (proc.stdout or proc.stderr).decode("utf-8", "replace").splitlines()
    return first[0] if first else "tesseract"


def write_pgm(path: Path, gray: Gray) -> Path:
    # Uncompressed PGM: writing PNG costs more than it saves, tesseract reads both.
    if not cv2.imwrite(str(path), gray):
        raise OcrEngineError(f"could not write page image {path}")
    return path


def read_pgm(path: Path) -> Gray:
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise OcrEngineError(f"could not read page image {path}")
    return np.asarray(gray, dtype=np.uint8)


def _looks_bad(result: EngineText, settings: OcrSettings) -> bool:
    sideways = result.vertical_lines >= 3 and result.vertical_lines > result.horizontal_lines
    return sideways or result.confidence < settings.bad_page_confidence


def _recognize_each(paths: Sequence[Path], settings: OcrSettings) -> list[EngineText | OcrEngineError]:
    """A failed batch is retried page by page so one bad page fails alone within its own timeout."""
    if len(paths) > 1:
        try:
            return list(recognize(paths, settings, settings.page_timeout_s * len(paths)))
        except OcrEngineError:
            pass
    out: list[EngineText | OcrEngineError] = []
    for path in paths:
        try:
            out.append(recognize([path], settings, settings.page_timeout_s)[0])
        except OcrEngineError as e:
            out.append(e)
    return out


def ocr_gray_pages(pages: Sequence[Path], settings: OcrSettings) -> list[OcrResult | OcrEngineError]:
    """OCR greyscale page images (8-bit PGM files, see write_pgm) in one tesseract run; fix small skew
    and quarter-turn rotation; re-read pages whose reading the judge finds poor; mark the rest unreadable.

    Pages are files rather than arrays so a batch never holds more than one page in memory: each is
    read back when it is deskewed, and again if it has to be turned or re-read.
    Orientation detection and the other strategies cost more than OCR, so they only run for pages whose
    first reading looks poor (extract/reading/quality.py), and a page leaves the second pass at the first
    strategy that reads it well.
    """
    skews = [0.0] * len(pages)

    def prepare(i: int, rotation: int, dest: Path) -> Path:
        if not rotation and not settings.deskew:
            return pages[i]
        original = read_pgm(pages[i])
        gray = rotate_quarter(original, rotation)
        if settings.deskew:
            gray, skews[i] = deskew(gray, settings.max_skew_deg)
        return pages[i] if gray is original else write_pgm(dest, gray)

    with tempfile.TemporaryDirectory(prefix="ocr-pages-") as tmp:
        work = Path(tmp)
        rotations = [0] * len(pages)
        if settings.osd == "always":
            for i, found in enumerate(detect_orientations(pages, settings, settings.page_timeout_s)):
                if found is not None and found.confidence >= settings.osd_min_confidence:
                    rotations[i] = found.rotate
        paths = [prepare(i, rotations[i], work / f"p{i:04d}.pgm") for i in range(len(pages))]
        first = _recognize_each(paths, settings)
        second = _SecondPass(settings, work, pages, paths, rotations, skews, prepare)
        best = second.run(first)
        if settings.tables:
            best = _read_tables(best, second, work)
        if settings.seal_lines:
            best = _read_sealed_lines(best, second, work)
        if settings.lost_lines:
            best = _recover_lost_lines(best, second, work)
    engine = f"tesseract:{settings.lang}"
    results: list[OcrResult | OcrEngineError] = []
    for i, res in enumerate(best):
        if isinstance(res, OcrEngineError):
            results.append(res)
        else:
            results.append(OcrResult(text=res.text, confidence=round(res.confidence, 4), rotation=rotations[i],
                                     engine=engine, skew_deg=skews[i], osd_used=second.osd_used[i],
                                     quality=second.quality[i], quality_evidence=second.evidence(i)))
    return results


class _SecondPass:
    """Re-read the pages the judge finds poor: turned upright (OSD, or trying the four quarter turns on
    a crop when OSD is unsure), then image variants (extract/reading/variants.py); the best reading is kept.
    Each stage reads all its pages in one tesseract process."""

    def __init__(self, settings: OcrSettings, work: Path, pages: Sequence[Path], paths: list[Path],
                 rotations: list[int], skews: list[float], prepare: Callable[[int, int, Path], Path]) -> None:
        self.settings = settings
        self.work = work
        self.pages = pages
        self.paths = paths
        self.rotations = rotations
        self.skews = skews
        self.prepare = prepare
        self.osd_used = [settings.osd == "always"] * len(pages)
        self.quality = [str(PageQuality.ok)] * len(pages)
        self.notes: list[list[str]] = [[] for _ in pages]
        self.judged: list[Judgement | None] = [None] * len(pages)
        self.factors = [1] * len(pages)  # resolution of the kept reading's image relative to paths[i]
        # Pages whose seal was removed for a closer read (_read_sealed_lines): that image, for the lost-line pass.
        self.unsealed: dict[int, Path] = {}

    def evidence(self, i: int) -> str | None:
        return "; ".join(self.notes[i]) or None

    def _judge(self, res: EngineText) -> Judgement:
        return judge(Reading(res.text, res.confidence, res.words))

    def _poor(self, res: EngineText, j: Judgement) -> bool:
        return j.poor or _looks_bad(res, self.settings)

    def run(self, first: list[EngineText | OcrEngineError]) -> list[EngineText | OcrEngineError]:
        best = list(first)
        todo: list[int] = []
        for i, res in enumerate(first):
            if isinstance(res, EngineText):
                self.judged[i] = j = self._judge(res)
                if self._poor(res, j):
                    todo.append(i)
        for i in todo:
            self.quality[i] = str(PageQuality.reread)
            self.notes[i].append(f"first reading poor: {self.judged[i].evidence()}")  # type: ignore[union-attr]
        if todo and self.settings.reread:
            if self.settings.osd == "auto":
                todo = self._orient(todo, best)
            for name, make, factor in VARIANTS:
                if not todo:
                    break
                todo = self._variant(todo, best, name, make, factor)
        for i in todo:
            share = ink_share(read_pgm(self.paths[i]))
            judged = self.judged[i]
            if share < BLANK_INK_SHARE and judged is not None and judged.cjk < 5:
                # Nothing printed on it (the back of a sheet): nothing lost, nothing for a person to read.
                self.quality[i] = str(PageQuality.ok)
                self.notes[i] = [f"blank page ({100 * share:.2f}% ink)"]
            else:
                self.quality[i] = str(PageQuality.unreadable)
                self.notes[i].append(f"still poor after every strategy: {self.judged[i].evidence()}")  # type: ignore[union-attr]
        return best

    def _keep(self, i: int, res: EngineText | OcrEngineError, best: list[EngineText | OcrEngineError], how: str,
              margin: float = 1.0) -> bool:
        """Keep `res` if it scores better than the best reading so far; True when it did."""
        if not isinstance(res, EngineText):
            return False
        j = self._judge(res)
        old = self.judged[i]
        if old is not None and j.score <= old.score * margin:
            return False
        best[i], self.judged[i] = res, j
        self.notes[i].append(f"{how} read better: {j.evidence()}")
        return True

    def _still_poor(self, todo: list[int], best: list[EngineText | OcrEngineError]) -> list[int]:
        out = []
        for i in todo:
            res, j = best[i], self.judged[i]
            if isinstance(res, EngineText) and j is not None and self._poor(res, j):
                out.append(i)
        return out

    def _orient(self, todo: list[int], best: list[EngineText | OcrEngineError]) -> list[int]:
        turned: dict[int, tuple[int, str]] = {}
        unsure: list[int] = []
        # One OSD process for all the batch's poor pages.
        orientations = detect_orientations([self.paths[i] for i in todo], self.settings, self.settings.page_timeout_s)
        for i, found in zip(todo, orientations, strict=True):
            self.osd_used[i] = True
            if found is not None and found.confidence >= self.settings.osd_min_confidence:
                if found.rotate:
                    turned[i] = (found.rotate, f"OSD {found.rotate}° (confidence {found.confidence:.1f})")
            else:
                unsure.append(i)
        if unsure:
            turned.update(self._try_quarter_turns(unsure))
        if turned:
            order = sorted(turned)
            upright_skews = {i: self.skews[i] for i in order}
            rpaths = [self.prepare(i, turned[i][0], self.work / f"p{i:04d}r.pgm") for i in order]
            reads = _recognize_each(rpaths, self.settings)
            for i, path, res in zip(order, rpaths, reads, strict=True):
                # A confident OSD is trusted unless the turned reading is clearly worse.
                if self._keep(i, res, best, f"turned {turned[i][0]}° ({turned[i][1]})", margin=0.9):
                    self.rotations[i], self.paths[i] = turned[i][0], path
                else:
                    self.skews[i] = upright_skews[i]
        return self._still_poor(todo, best)

    def _try_quarter_turns(self, pages: list[int]) -> dict[int, tuple[int, str]]:
        """OSD could not decide: read the middle of the page at all four quarter turns, at half size."""
        crops: list[Path] = []
        for i in pages:
            gray = text_crop(read_pgm(self.paths[i]))
            for turn in (0, 90, 180, 270):
                crops.append(write_pgm(self.work / f"c{i:04d}-{turn}.pgm", rotate_quarter(gray, turn)))
        reads = _recognize_each(crops, self.settings)
        out: dict[int, tuple[int, str]] = {}
        for k, i in enumerate(pages):
            scores = [self._judge(r).score if isinstance(r, EngineText) else 0.0 for r in reads[4 * k : 4 * k + 4]]
            turn = (0, 90, 180, 270)[int(np.argmax(scores))]
            # The winner must stand out: on a page of noise all four score about the same.
            if turn and scores[turn // 90] > 1.5 * max(scores[0], 1.0):
                out[i] = (turn, "four quarter turns tried on a crop: " + "/".join(f"{s:.0f}" for s in scores))
        return out

    def _variant(self, todo: list[int], best: list[EngineText | OcrEngineError], name: str,
                 make: Callable[[Gray], Gray], factor: int) -> list[int]:
        made: list[int] = []
        vpaths: list[Path] = []
        for i in todo:
            gray = read_pgm(self.paths[i])
            image = make(gray)
            if image is gray:  # nothing to change on this page (no seal found): no read to pay for
                continue
            made.append(i)
            vpaths.append(write_pgm(self.work / f"v{i:04d}-{name}.pgm", image))
        settings = replace(self.settings, ocr_dpi=self.settings.ocr_dpi * factor)
        for i, res in zip(made, _recognize_each(vpaths, settings), strict=True):
            if self._keep(i, res, best, f"variant {name}"):
                self.factors[i] = factor
        return self._still_poor(todo, best)


# Tesseract skips a blank image in a file list (the batch then fails): cells with less ink are not read.
_CELL_MIN_INK = 0.004


def _read_tables(best: list[EngineText | OcrEngineError], second: _SecondPass, work: Path,
                 ) -> list[EngineText | OcrEngineError]:
    """Pages read well at once that show a ruled table (extract/reading/tables.py): each cell read on its
    own (psm 6, all cells of the batch in one tesseract process), the rows written row by row; the new
    reading is kept only where the quality judge prefers it. Pages without a grid cost one image scan."""
    settings = second.settings
    jobs: list[tuple[int, Grid, list[list[int | None]]]] = []
    crops: list[Path] = []
    one_line: list[bool] = []
    for i, res in enumerate(best):
        if not isinstance(res, EngineText) or not res.lines or second.quality[i] != PageQuality.ok:
            continue
        gray = read_pgm(second.paths[i])
        grid = find_grid(gray, settings.ocr_dpi)
        if grid is None:
            continue
        index: list[list[int | None]] = []
        for r, row in enumerate(cell_boxes(grid, settings.ocr_dpi)):
            index.append([])
            for c, (x, y, w, h) in enumerate(row):
                cell = gray[y : y + h, x : x + w]
                if ink_share(cell) < _CELL_MIN_INK:
                    index[-1].append(None)
                    continue
                framed = cv2.copyMakeBorder(cell, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
                index[-1].append(len(crops))
                one_line.append(single_line(cell, settings.ocr_dpi))
                crops.append(write_pgm(work / f"t{i:04d}-{r}-{c}.pgm", np.asarray(framed, dtype=np.uint8)))
        jobs.append((i, grid, index))
    if not crops:
        return best
    # One-line cells as lines (psm 7), the others as blocks (psm 6): two tesseract processes at most.
    reads: list[EngineText | OcrEngineError | None] = [None] * len(crops)
    for psm, flag in ((7, True), (6, False)):
        todo = [k for k, f in enumerate(one_line) if f is flag]
        for k, read in zip(todo, _recognize_each([crops[k] for k in todo], replace(settings, psm=psm)), strict=True):
            reads[k] = read
    out = list(best)
    for i, grid, index in jobs:
        res = best[i]
        assert isinstance(res, EngineText)
        cells = [[reads[k] if k is not None else None for k in row] for row in index]
        rows = [[c.text if isinstance(c, EngineText) else "" for c in row] for row in cells]
        composed = compose(res.text, res.lines, grid, rows)
        if composed is None:
            continue
        # Confidence per line of text on both sides, so the two readings are weighed alike.
        outside = [ln.confidence for ln in res.lines if not grid.top <= ln.box[1] + ln.box[3] // 2 <= grid.bottom]
        inside = [c.confidence for row in cells for c in row if isinstance(c, EngineText) and c.text.strip()]
        before = sum(ln.confidence for ln in res.lines) / len(res.lines)
        after = sum(outside + inside) / max(1, len(outside) + len(inside))
        new = EngineText(text=composed.text, confidence=min(1.0, res.confidence * after / max(before, 1e-6)),
                         words=res.words, horizontal_lines=res.horizontal_lines, boxes=res.boxes,
                         lines=composed.lines)
        second._keep(i, new, out, "table read cell by cell")
    return out


def _read_sealed_lines(best: list[EngineText | OcrEngineError], second: _SecondPass, work: Path,
                       ) -> list[EngineText | OcrEngineError]:
    """Pages read well but for a group of unsure lines one seal could cover (extract/reading/sealed_lines.py):
    a ring looked for around those lines only; where one is found, the band of rows it covers read again
    with the seal removed, else the group's rows with what is lighter than ink faded (all bands of the
    batch in one tesseract process); kept where its lines carry more surely read text. Pages without such
    a group cost nothing."""
    settings = second.settings
    dpi = float(settings.ocr_dpi)
    bands: list[tuple[int, tuple[int, int], str, Path]] = []
    for i, res in enumerate(best):
        if (not isinstance(res, EngineText) or not res.lines or second.factors[i] != 1
                or second.quality[i] == PageQuality.unreadable):
            continue
        group = unsure_group(res.lines, dpi)
        if not group:
            continue
        gray = read_pgm(second.paths[i])
        x, y, w, h = search_window(group, gray.shape, dpi)
        rings = [Ring(r.x + x, r.y + y, r.radius, r.contrast)
                 for r in find_rings(np.ascontiguousarray(gray[y : y + h, x : x + w]), dpi, max_rings=1)]
        if rings:
            clean = remove_rings(gray, rings, dpi)
            second.unsealed[i] = write_pgm(work / f"s{i:04d}.pgm", clean)
            top, bottom = seal_band(rings[0].y, rings[0].radius, res.lines, gray.shape[0])
            image, how = clean[top:bottom], "its ring removed"
        else:
            top, bottom = group_band(group, res.lines, gray.shape[0])
            image, how = ink(np.ascontiguousarray(gray[top:bottom])), "what is lighter than ink faded"
            if np.array_equal(image, gray[top:bottom]):
                continue
        bands.append((i, (top, bottom), how, write_pgm(work / f"s{i:04d}-band.pgm", image)))
    if not bands:
        return best
    out = list(best)
    for (i, band, how, _path), new in zip(bands, _recognize_each([b[3] for b in bands], settings), strict=True):
        res = out[i]
        if not isinstance(new, EngineText) or not isinstance(res, EngineText):
            continue
        merged = merge_band(res.text, res.lines, res.boxes, band, new.text, new.lines, new.boxes)
        if merged is not None:
            out[i] = replace(res, text=merged.text, lines=merged.lines, boxes=merged.boxes)
            second.notes[i].append(f"unsure lines (rows {band[0]}-{band[1]}) read again with {how}")
    return out


def _recover_lost_lines(best: list[EngineText | OcrEngineError], second: _SecondPass, work: Path,
                        ) -> list[EngineText | OcrEngineError]:
    """A closer look at single lines (extract/reading/lost_lines.py): text-shaped ink the layout analysis
    dropped, and the lines read with little confidence, each read again on its own at twice the
    resolution; all crops of the batch in one tesseract process."""
    settings = second.settings
    crops: list[tuple[int, Box, LineBox | None, Path]] = []
    for i, res in enumerate(best):
        if not isinstance(res, EngineText) or not res.lines or second.quality[i] == PageQuality.unreadable:
            continue
        gray = read_pgm(second.unsealed.get(i, second.paths[i]))
        f = second.factors[i]
        covered = [(x // f, y // f, w // f, h // f) for x, y, w, h in res.boxes]
        todo: list[tuple[Box, LineBox | None]] = [(b, None) for b in missed_regions(gray, covered, settings.ocr_dpi)]
        for weak in weak_lines(res.lines, settings.ocr_dpi * f):
            x, y, w, h = weak.box
            todo.append((padded((x // f, y // f, w // f, h // f), gray.shape, settings.ocr_dpi), weak))
        for k, (box, line) in enumerate(todo):
            x, y, w, h = box
            big = np.asarray(cv2.resize(gray[y : y + h, x : x + w], (2 * w, 2 * h), interpolation=cv2.INTER_CUBIC),
                             dtype=np.uint8)
            path = write_pgm(work / f"l{i:04d}-{k}.pgm", big if line is not None else isolated_text(big))
            crops.append((i, box, line, path))
    if not crops:
        return best
    reads = _recognize_each([c[3] for c in crops], replace(settings, psm=7, ocr_dpi=2 * settings.ocr_dpi))
    found: dict[int, list[tuple[Box, str]]] = {}
    replaced: dict[int, dict[int, str]] = {}
    for (i, box, ln, _path), new in zip(crops, reads, strict=True):
        res = best[i]
        if not isinstance(new, EngineText) or not isinstance(res, EngineText):
            continue
        f = second.factors[i]
        if ln is None:
            if plausible_line(new.text, new.confidence):
                found.setdefault(i, []).append(((box[0] * f, box[1] * f, box[2] * f, box[3] * f), new.text.strip()))
            continue
        old = res.text.split("\n")[ln.text_index]
        if better_line(old, ln.confidence, new.text, new.confidence):
            replaced.setdefault(i, {})[ln.text_index] = new.text.strip()
        elif settings.drop_noise_lines and noise_line(old, max(ln.confidence, new.confidence)):
            replaced.setdefault(i, {})[ln.text_index] = ""
    out = list(best)
    for i in set(found) | set(replaced):
        res = out[i]
        if isinstance(res, EngineText):
            text = replace_lines(res.text, replaced.get(i, {}))
            out[i] = replace(res, text=insert_lines(text, res.lines, found.get(i, [])))
    return out


def _detect(path: Path, settings: OcrSettings, timeout_s: float) -> Orientation | None:
    try:
        return detect_orientation(path, settings, timeout_s)
    except OcrEngineError:
        return None
