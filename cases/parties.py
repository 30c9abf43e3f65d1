"""Plaintiffs and court of a case from every document filed to it: agreement, not the last reading.

A case's complaint, notice, defense, appearance record and judgment each print the plaintiffs; OCR
misreads a character in one of them (丁刀 for 丁娟) or loses a co-plaintiff's line. Taking the last
document's reading made such a misreading the case's fact. Here each party is the spelling most
documents agree on; a party whose spellings tie, or that only one of several documents names, is a
doubt for a person, never a silent pick. Pure: no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extract.understanding.court import same_court

__all__ = ["Agreement", "agreed_court", "agreed_plaintiffs", "one_misread_apart"]


def one_misread_apart(a: str, b: str) -> bool:
    """Same length, at most one character in four different (at least one allowed): a misreading."""
    if len(a) != len(b) or a == b:
        return a == b
    return sum(x != y for x, y in zip(a, b, strict=True)) <= max(1, len(a) // 4)


@dataclass(frozen=True)
class Agreement:
    names: tuple[str, ...]  # in the order the documents print them
    doubt: str | None = None  # Chinese, for the person who checks


@dataclass
class _Party:
    spellings: Counter[str]
    docs: set[int]
    first_seen: tuple[int, int]  # (document, position): print order


def agreed_plaintiffs(readings: Sequence[Sequence[str]]) -> Agreement:
    """The plaintiffs the documents' readings (each a document's list, oldest first) agree on."""
    lists = [list(dict.fromkeys(r)) for r in readings if r]
    if not lists:
        return Agreement(())
    parties: list[_Party] = []
    for d, listed in enumerate(lists):
        for pos, name in enumerate(listed):
            # The same party in another document: equal, or one misreading from a spelling of it.
            # Never two names of one document (co-plaintiffs 张伟 and 张华 are two people).
            party = next(
                (p for p in parties if d not in p.docs and any(one_misread_apart(name, s) for s in p.spellings)), None
            )
            if party is None:
                parties.append(_Party(Counter(), set(), (d, pos)))
                party = parties[-1]
            party.spellings[name] += 1
            party.docs.add(d)
    doubts: list[str] = []
    names: list[str] = []
    for p in sorted(parties, key=lambda p: p.first_seen):
        ranked = p.spellings.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            tied = [s for s, n in ranked if n == ranked[0][1]]
            doubts.append(f"各文书读出的原告名称不一致（{'、'.join(tied)}）")
        if len(lists) > 1 and len(p.docs) == 1:
            doubts.append(f"仅一份文书列有原告“{ranked[0][0]}”")
        names.append(ranked[0][0])
    return Agreement(tuple(names), "；".join(doubts) or None)


def agreed_court(readings: Sequence[str]) -> Agreement:
    """The court most documents name (first named on a tie); a doubt when they name different courts."""
    names = [r for r in readings if r]
    if not names:
        return Agreement(())
    groups: list[list[str]] = []
    for name in names:
        group = next((g for g in groups if same_court(g[0], name)), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    best = max(groups, key=len)
    # The fullest spelling of that court (with its province).
    value = max(best, key=len)
    doubt = None
    if len(groups) > 1:
        doubt = "各文书读出的法院不一致：" + "、".join(g[0] for g in groups)
    return Agreement((value,), doubt)
