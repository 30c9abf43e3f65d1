"""Login throttling with growing delays, per account and per client, that a stranger cannot turn
into a lock-out of someone else's account.

Three counters of recent failures, each forgotten `forget_s` after its last failure:
- (account, client address): the guesser's own delay grows to `max_pair_s` (15 minutes);
- account, from any address: stops a guesser spread over many addresses, but is capped at
  `max_account_s` (a minute), so an attacker can slow the owner down, never shut him out;
- client address, any account: stops one address spraying many accounts (capped like a pair).
A client that has logged in to the account before (a signed cookie it got then) is exempt from the
account and address counters: the owner keeps getting in while strangers hammer his name. Each
counter allows `free` failures before its delay starts, then doubles it from `base_s`.

State lives in memory: a restart forgets it, which only the operator can cause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Count:
    failures: int
    last: float


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int = 3  # failures per counter before any delay
    base_s: float = 1.0  # first delay; doubles with each further failure
    max_pair_s: float = 900.0
    max_account_s: float = 60.0
    address_free: int = 10  # an office behind one address: more people, more typos
    forget_s: float = 3600.0


class LoginThrottle:
    def __init__(self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] | None = None) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock or time.monotonic
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(account: str, address: str) -> tuple[str, str, str]:
        name = account.strip().lower()
        return f"pair:{name}|{address}", f"account:{name}", f"address:{address}"

    def _delay(self, key: str, free: int, cap: float, now: float) -> float:
        count = self._counts.get(key)
        if count is None:
            return 0.0
        if now - count.last > self.policy.forget_s:
            del self._counts[key]
            return 0.0
        if count.failures < free:
            return 0.0
        delay = min(cap, self.policy.base_s * 2.0 ** min(count.failures - free, 40))
        return max(0.0, count.last + delay - now)

    def wait_seconds(self, account: str, address: str, known_client: bool = False) -> float:
        """How long this client must wait before its next attempt at `account` (0: go ahead)."""
        p = self.policy
        pair, acct, addr = self._keys(account, address)
        now = self._clock()
        with self._lock:
            waits = [self._delay(pair, p.free, p.max_pair_s, now)]
            if not known_client:
                waits.append(self._delay(acct, p.free, p.max_account_s, now))
                waits.append(self._delay(addr, p.address_free, p.max_pair_s, now))
        return max(waits)

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(account, address):
                count = self._counts.get(key)
                if count is None or now - count.last > self.policy.forget_s:
                    self._counts[key] = _Count(1, now)
                else:
                    count.failures += 1
                    count.last = now
            self._prune(now)

    def succeeded(self, account: str, address: str) -> None:
        # Only this client's own record: a success must not wipe what strangers did to the account.
        pair, _acct, _addr = self._keys(account, address)
        with self._lock:
            self._counts.pop(pair, None)

    def _prune(self, now: float) -> None:
        if len(self._counts) > 100_000:  # a flood of made-up names must not grow memory without bound
            for key in [k for k, c in self._counts.items() if now - c.last > self.policy.forget_s]:
                del self._counts[key]
            if len(self._counts) > 100_000:
                oldest = sorted(self._counts, key=lambda k: self._counts[k].last)[: len(self._counts) // 2]
                for key in oldest:
                    del self._counts[key]
