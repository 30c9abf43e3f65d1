"""Close reads of a signature block go through the OCR cache (no tesseract: a stand-in reader)."""

from extract.reading.ocr_cache import MemoryOcrCache
from extract.reading.signature_reread import cached_block_reads


def test_a_second_filing_reads_nothing_again() -> None:
    calls: list[tuple[int, int, int]] = []

    def read(page: int, rotation: int, attempt: int) -> str | None:
        calls.append((page, rotation, attempt))
        return None if attempt == 1 else f"二〇二六年三月{attempt + 1}日"

    cache = MemoryOcrCache()
    first = cached_block_reads(read, cache, "a" * 64, "fp")
    assert [first(2, 0, a) for a in range(3)] == ["二〇二六年三月1日", None, "二〇二六年三月3日"]
    again = cached_block_reads(read, cache, "a" * 64, "fp")
    assert [again(2, 0, a) for a in range(3)] == ["二〇二六年三月1日", None, "二〇二六年三月3日"]
    assert len(calls) == 3
    # Another file, rotation or code version is another reading.
    cached_block_reads(read, cache, "b" * 64, "fp")(2, 0, 0)
    cached_block_reads(read, cache, "a" * 64, "fp")(2, 90, 0)
    cached_block_reads(read, cache, "a" * 64, "fp2")(2, 0, 0)
    assert len(calls) == 6
