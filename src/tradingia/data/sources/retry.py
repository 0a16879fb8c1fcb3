"""One retry loop with exponential back-off, shared by every remote candle source.

A source turns the failures worth retrying (rate limits, 5xx, network) into `TransientError`,
with the venue's `Retry-After` when it sent one; everything else propagates at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tradingia.core.errors import SourceError

T = TypeVar("T")
SleepFn = Callable[[float], None]

log = logging.getLogger(__name__)


class TransientError(Exception):
    """A failure that may pass: `retry_after` is the wait the venue asked for, in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry: waits of base, 2*base, 4*base ... up to max."""

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt + 1`; the venue's own wait wins."""
        if retry_after is not None and retry_after >= 0:
            return float(retry_after)
        return float(min(self.max_delay, self.base_delay * 2**attempt))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header; None when absent or an HTTP date (use our back-off)."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def call_with_retries(
    call: Callable[[], T],
    *,
    what: str,
    policy: RetryPolicy,
    sleep: SleepFn = time.sleep,
) -> T:
    """Run `call`, retrying TransientError with back-off; SourceError once retries run out."""
    attempt = 0
    while True:
        try:
            return call()
        except TransientError as exc:
            if attempt >= policy.max_retries:
                raise SourceError(
                    f"{what} failed after {attempt + 1} attempts; last error: {exc}. The venue "
                    "may be down or rate-limiting: try again later, or allow more retries with "
                    "TRADINGIA_HTTP_MAX_RETRIES."
                ) from exc
            wait = policy.delay(attempt, exc.retry_after)
            log.warning("%s: %s; retry %d/%d in %.1f s", what, exc, attempt + 1,
                        policy.max_retries, wait)
            sleep(wait)
            attempt += 1
