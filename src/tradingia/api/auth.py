"""API keys: `X-API-Key` on every endpoint except `/health`, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from tradingia.api.errors import ApiError
from tradingia.core.errors import ConfigError

HEADER = "X-API-Key"


class KeyChecker:
    """Checks presented keys against the configured ones (any key passes in dev mode)."""

    def __init__(self, keys: Sequence[str], dev: bool = False) -> None:
        if not keys and not dev:
            raise ConfigError(
                "No API key configured: set TRADINGIA_API_KEYS (comma-separated), "
                "or start with `tradingia serve --dev` on a development machine."
            )
        self._keys = tuple(k.encode() for k in keys)
        self.dev = dev

    def check(self, presented: str | None) -> str:
        """A short, non-secret id of the key (for rate limits); ApiError 401 when wrong."""
        if not self._keys:
            return "dev"
        if not presented:
            raise ApiError(401, "Unauthorized", f"Missing API key: send the {HEADER} header.")
        given = presented.encode()
        match = False
        for key in self._keys:  # compare with every key so timing says nothing
            match |= hmac.compare_digest(given, key)
        if not match:
            raise ApiError(401, "Unauthorized", f"Invalid API key in the {HEADER} header.")
        return hashlib.sha256(given).hexdigest()[:16]
