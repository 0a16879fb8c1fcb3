"""parse_retry_after: the one reader of a venue's `Retry-After` header."""

from __future__ import annotations

from tradingia.data.sources.retry import parse_retry_after


def test_seconds_are_read_as_a_float() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.5") == 0.5


def test_absent_or_http_date_gives_none() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
