"""Entry point of the extract stage's first step: every page of a file as text.

`extract_pages(data, content_type, settings, cache)` → `list[Page]`. Whole-file problems raise
`FilingError`; a single page that fails (tesseract error, timeout, damaged image) becomes a Page
with `source=failed` and its error, so the rest of the file still arrives.

OCR runs in parallel: each worker thread prepares a batch of pages (numpy/OpenCV/Pillow release
the GIL) and drives one single-threaded tesseract process over the whole batch. pdfium is not
thread-safe, so PDF pages are read in the calling thread and handed over as images, or as their
JPEG stream where that decodes to the same pixels. A worker decodes and converts one page at a
time and parks its greyscale in a PGM file until the batch goes to tesseract, so at most one
full-size page per worker is in memory; with one batch per worker running and one being filled,
that bounds memory on long scans.
"""

from __future__ import annotations

import ctypes
import functools
import math
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from extract.reading.images import (
    FailedPage,
    ImageDecodeError,
    ImageTooLarge,
    PageImage,
    count_image_frames,
    encode_preview,
    iter_image_file,
    preview_image,
    rescale_to_dpi,
    to_gray,
    turn_preview,
)
from extract.reading.ocr import OcrEngineError, OcrEngineTimeout, ocr_gray_pages, write_pgm
from extract.reading.ocr_cache import OcrCache, OcrResult, cache_key
from extract.reading.ocrfix import PlaceNames, clean_ocr_text, find_cjk_font
from extract.reading.pdf import PdfSource, TextLayerPage
from extract.reading.seals import suppress_round_seals
from extract.reading.settings import OcrSettings
from extract.types import Page, PageQuality, PageSource
from terms.errors import ErrorCode, FilingError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/tiff", "image/tif"})
PLAIN = "text/plain"

Progress = Callable[[Page], None]
_PageKey = tuple[int, int]  # (file index, page number)
_BatchOut = list[tuple[_PageKey, Page, OcrResult | None, str]]  # page, result to cache, cache key


def extract_pages(data: bytes, content_type: str, settings: OcrSettings, cache: OcrCache | None = None,
                  progress: Progress | None = None) -> list[Page]:
    """Pages of one file in page order; see the module docstring for the failure rules."""
    result = extract_files([(data, content_type)], settings, cache, progress)[0]
    if isinstance(result, FilingError):
        raise result
    return result


def extract_files(files: Sequence[tuple[bytes, str]], settings: OcrSettings, cache: OcrCache | None = None,
                  progress: Progress | None = None) -> list[list[Page] | FilingError]:
    """Several files (e.g. one message's attachments) through one OCR pool, so short files share
    workers and tesseract start-ups. Each entry is that file's pages or the FilingError it raised."""
    out: list[list[Page] | FilingError] = []
    with _OcrPool(settings, cache, progress) as pool:
        for index, (data, content_type) in enumerate(files):
            try:
                _feed(pool, index, data, content_type, settings)
                out.append([])
            except FilingError as e:
                pool.drop(index)
                out.append(e)
            pool.end_of_file()
        for (index, _number), page in pool.finish():
            entry = out[index]
            if not isinstance(entry, FilingError):
                entry.append(page)
    return out


def _feed(pool: _OcrPool, index: int, data: bytes, content_type: str, settings: OcrSettings) -> None:
    if not data:
        raise FilingError(ErrorCode.empty_file, "The file is empty (0 bytes). Ask the sender to attach it again.")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == PDF:
        _feed_pdf(pool, index, data, settings)
    elif mime in IMAGE_TYPES:
        _feed_image(pool, index, data, settings)
    elif mime == DOCX:
        # Imported here: python-docx and lxml cost ~10 MB, which scan-only runs need not carry.
        from extract.reading.docx import docx_text

        pool.add_done(index, Page(number=1, text=docx_text(data), source=PageSource.docx, confidence=1.0))
    elif mime == PLAIN:
        for page in plain_pages(data):
            pool.add_done(index, page)
    else:
        raise FilingError(ErrorCode.unknown_type,
                          f"Files of type {content_type!r} cannot be read. Ask the sender for a PDF, a scan "
                          "(JPG/PNG/TIFF) or a Word (.docx) file.")


def render_preview(data: bytes, content_type: str, page_number: int, width: int = 1000, rotation: int = 0,
                   ) -> bytes | None:
    """A page's preview PNG rebuilt from the original file (e.g. when previews were not stored), turned
    by `rotation` degrees clockwise (use Page.rotation). None for DOCX/plain text or a missing page."""
    mime = content_type.split(";", 1)[0].strip().lower()
    try:
        if mime == PDF:
            with PdfSource(data, 72, width, 0, 10**9) as pdf:
                if not 1 <= page_number <= pdf.page_count:
                    return None
                return encode_preview(pdf.preview(page_number), rotation)
        if mime in IMAGE_TYPES:
            for item in iter_image_file(data, 10**9):
                if item.number == page_number and not isinstance(item, FailedPage):
                    return encode_preview(preview_image(item.load(), width), rotation)
    except (FilingError, ImageDecodeError, ImageTooLarge):
        return None
    return None


def plain_pages(data: bytes) -> list[Page]:
    """Plain text, one page per form feed; UTF-8 or the GB encodings Chinese mail clients use."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", "replace")
    chunks = text.split("\f")
    return [Page(number=i, text=chunk.strip("\n"), source=PageSource.plain, confidence=1.0)
            for i, chunk in enumerate(chunks, start=1)]


def _check_page_count(count: int, settings: OcrSettings) -> None:
    if count > settings.max_pages:
        raise FilingError(ErrorCode.too_many_pages,
                          f"The file has {count} pages; the limit is {settings.max_pages}. Ask the sender to split it "
                          "into one file per document, or raise ocr.max_pages in config.yaml.")


def _feed_pdf(pool: _OcrPool, index: int, data: bytes, settings: OcrSettings) -> None:
    with PdfSource(data, settings.dpi, settings.preview_width, settings.text_layer_min_chars,
                   settings.max_image_pixels) as pdf:
        _check_page_count(pdf.page_count, settings)
        pool.expect(pdf.page_count)
        for item in pdf.pages():
            if isinstance(item, TextLayerPage):
                preview = encode_preview(item.preview, 0) if item.preview is not None else None
                pool.add_done(index, Page(number=item.number, text=item.text, source=PageSource.text_layer,
                                          confidence=1.0, preview_png=preview))
            elif isinstance(item, FailedPage):
                code = ErrorCode.image_bomb if item.too_large else ErrorCode.ocr_failed
                pool.add_done(index, _failed(item.number, code, item.error))
            else:
                pool.add(index, item)


def _feed_image(pool: _OcrPool, index: int, data: bytes, settings: OcrSettings) -> None:
    try:
        count = count_image_frames(data)
        _check_page_count(count, settings)
        pool.expect(count)
        for item in iter_image_file(data, settings.max_image_pixels):
            if isinstance(item, FailedPage):
                pool.add_done(index, _failed(item.number, ErrorCode.corrupt_image, item.error))
            else:
                pool.add(index, item)
    except ImageTooLarge as e:
        raise FilingError(ErrorCode.image_bomb,
                          f"The image is too large to read safely ({e}). Ask the sender to scan at 200-300 dpi.") from e
    except ImageDecodeError as e:
        raise FilingError(ErrorCode.corrupt_image,
                          f"The image cannot be read ({e}). Ask the sender to scan or photograph it again.") from e


def _failed(number: int, code: ErrorCode, message: str) -> Page:
    return Page(number=number, text="", source=PageSource.failed, confidence=0.0, error=f"{code}: {message}")


@dataclass
class _Prepared:
    key: _PageKey
    sha256: str
    cache_key: str
    preview: bytes | None = None  # PNG, upright as scanned
    error: str | None = None


@dataclass
class _Job:
    key: _PageKey
    page: PageImage


class _OcrPool:
    """Batches page images onto worker threads; results come back keyed (file index, page number)."""

    def __init__(self, settings: OcrSettings, cache: OcrCache | None, progress: Progress | None) -> None:
        self.settings = settings
        self.cache = cache
        self.progress = progress
        self.workers = settings.worker_count()
        self.batch_size = settings.batch_size
        self.expected = 0
        self.fingerprint = settings.fingerprint()
        self.places = PlaceNames(settings.place_names, find_cjk_font(settings.glyph_font))
        self.pending: list[_Job] = []
        self.running: set[Future[_BatchOut]] = set()
        self.pages: dict[_PageKey, Page] = {}
        self.executor: ThreadPoolExecutor | None = None

    def __enter__(self) -> _OcrPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def expect(self, pages: int) -> None:
        # Spread short work over all workers; cap batches so start-up is amortized but work stays balanced.
        # Counted over all files fed so far, so a run of one-page attachments still shares start-ups.
        self.expected += max(1, pages)
        self.batch_size = max(1, min(self.settings.batch_size, math.ceil(self.expected / self.workers)))

    def add_done(self, index: int, page: Page) -> None:
        self.pages[(index, page.number)] = page
        if self.progress:
            self.progress(page)

    def drop(self, index: int) -> None:
        """Forget a file that failed as a whole (its finished pages would be misleading)."""
        self.pending = [job for job in self.pending if job.key[0] != index]
        for key in [k for k in self.pages if k[0] == index]:
            del self.pages[key]

    def add(self, index: int, item: PageImage) -> None:
        key = cache_key(item.sha256, self.fingerprint)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            try:
                preview = encode_preview(preview_image(item.load(), self.settings.preview_width), hit.rotation)
            except ImageDecodeError:
                preview = None
            item.release()
            self.add_done(index, _page_from_result(item.number, hit, item.sha256, preview, 0.0))
            return
        self.pending.append(_Job(key=(index, item.number), page=item))
        if len(self.pending) >= self.batch_size:
            self._submit()

    def end_of_file(self) -> None:
        # Keep idle workers busy, but let several short files share one tesseract start-up otherwise.
        if len(self.running) < self.workers:
            self._submit()

    def _submit(self) -> None:
        if not self.pending:
            return
        # Only running batches and the one being filled hold full-size page images: bounded memory.
        while len(self.running) >= self.workers:
            self._collect(wait(self.running, return_when=FIRST_COMPLETED).done)
        if self.executor is None:
            self.executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ocr")
        batch, self.pending = self.pending, []
        self.running.add(self.executor.submit(ocr_batch, batch, self.settings, self.fingerprint, self.places))

    def _collect(self, done: Iterable[Future[_BatchOut]]) -> None:
        for fut in list(done):
            self.running.discard(fut)
            for key, page, result, ckey in fut.result():
                if result is not None and self.cache is not None:
                    self.cache.put(ckey, result)
                self.add_done(key[0], page)

    def finish(self) -> list[tuple[_PageKey, Page]]:
        # The pages left over are split over the workers: one batch alone on one worker would be the
        # run's tail, the other cores idle (a tesseract start-up costs ~0.15 s of CPU; a page ~1 s).
        rest, self.pending = self.pending, []
        size = max(1, math.ceil(len(rest) / self.workers))
        for k in range(0, len(rest), size):
            self.pending = rest[k : k + size]
            self._submit()
        while self.running:
            self._collect(wait(self.running, return_when=FIRST_COMPLETED).done)
        return sorted(self.pages.items())


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "gnu_get_libc_version") else None


def _return_free_memory_to_os() -> None:
    """Give the memory a finished batch freed back to the OS (glibc malloc_trim); no-op without glibc.

    Page images and their conversions (2-12 MB each) come from the worker threads' malloc arenas,
    which fragment and do not shrink by themselves, so the process kept growing over a long scan.
    Once per batch is cheap (~0.5k extra page faults a page). Serving such buffers by mmap instead
    (mallopt M_MMAP_THRESHOLD = 1 MiB) returned slightly more but cost ~10k page faults, ~12 ms of
    CPU, per page.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def _page_from_result(number: int, result: OcrResult, sha: str, preview: bytes | None, seconds: float) -> Page:
    return Page(number=number, text=result.text, source=PageSource.tesseract, confidence=result.confidence,
                rotation=result.rotation, preview_png=preview, image_sha256=sha, seconds=round(seconds, 3),
                quality=PageQuality(result.quality), quality_evidence=result.quality_evidence)


def _prepare_page(item: PageImage, settings: OcrSettings, path: Path) -> bytes:
    """Write the page's OCR greyscale to `path` and return its upright preview PNG.

    A function of its own so the full-size image and its conversions are freed on return, before
    the next page of the batch is decoded."""
    image = item.load()
    preview = encode_preview(preview_image(image, settings.preview_width), 0)
    upright = rescale_to_dpi(image, item.dpi, settings.ocr_dpi, settings.max_ocr_pixels)
    gray = to_gray(upright, settings.suppress_seals)
    write_pgm(path, suppress_round_seals(gray, settings.ocr_dpi) if settings.suppress_grey_seals else gray)
    return preview


def ocr_batch(batch: list[_Job], settings: OcrSettings, fingerprint: str, places: PlaceNames | None = None,
              ) -> _BatchOut:
    """Worker: prepare and OCR one batch. Never raises: a page that fails becomes a failed Page."""
    start = time.perf_counter()
    prepared: list[_Prepared] = []
    with tempfile.TemporaryDirectory(prefix="ocr-batch-") as tmp:
        paths: list[Path] = []
        for n, job in enumerate(batch):
            item = job.page
            prep = _Prepared(key=job.key, sha256=item.sha256, cache_key=cache_key(item.sha256, fingerprint))
            path = Path(tmp) / f"g{n:04d}.pgm"
            try:
                prep.preview = _prepare_page(item, settings, path)
                paths.append(path)
            except ImageDecodeError as e:
                prep.error = f"{ErrorCode.corrupt_image}: {e}. Ask the sender to scan the page again."
            except ImageTooLarge as e:
                prep.error = f"{ErrorCode.image_bomb}: {e}. Ask the sender to scan the page at 200-300 dpi."
            except (OSError, ValueError, MemoryError, OcrEngineError) as e:
                prep.error = f"{ErrorCode.ocr_failed}: page image could not be prepared: {e}"
            item.release()  # the job list lives until the batch is collected; its page data need not
            prepared.append(prep)
        ok = [p for p in prepared if p.error is None]
        try:
            results: list[OcrResult | OcrEngineError] = list(ocr_gray_pages(paths, settings))
        except (OcrEngineError, OSError) as e:
            results = [OcrEngineError(str(e))] * len(ok)
    per_page = round((time.perf_counter() - start) / max(1, len(batch)), 3)
    by_key = dict(zip((p.key for p in ok), results, strict=True))
    out: _BatchOut = []
    for prep in prepared:
        res = by_key.get(prep.key)
        rotation = res.rotation if isinstance(res, OcrResult) else 0
        if isinstance(res, OcrResult):
            # Repaired before caching, so a cache hit returns the same text (place names are in the fingerprint).
            res = replace(res, text=clean_ocr_text(res.text, places))
        preview = turn_preview(prep.preview, rotation) if prep.preview is not None else None
        if isinstance(res, OcrResult):
            out.append((prep.key, _page_from_result(prep.key[1], res, prep.sha256, preview, per_page), res,
                        prep.cache_key))
            continue
        if isinstance(res, OcrEngineTimeout):
            error = f"{ErrorCode.ocr_timeout}: {res}; page skipped. Check the scan or raise ocr.page_timeout_s."
        elif isinstance(res, OcrEngineError):
            error = f"{ErrorCode.ocr_failed}: {res}. Check the scan; if every page fails, check the tesseract install."
        else:
            error = prep.error or f"{ErrorCode.ocr_failed}: unknown error"
        page = Page(number=prep.key[1], text="", source=PageSource.failed, confidence=0.0, preview_png=preview,
                    image_sha256=prep.sha256, error=error, seconds=per_page)
        out.append((prep.key, page, None, prep.cache_key))
    _return_free_memory_to_os()
    return out
