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
        # Each key with its id, worked out once: a request only compares, never hashes.
        self._keys = tuple((k.encode(), hashlib.sha256(k.encode()).hexdigest()[:16])
                           for k in keys)
        self.dev = dev

    def key_id(self, presented: str | None) -> str | None:
        """The id of a valid key ("dev" when no key is configured), else None."""
        if not self._keys:
            return "dev"
        if not presented:
            return None
        given = presented.encode()
        found: str | None = None
        for key, key_id in self._keys:  # compare with every key so timing says nothing
            if hmac.compare_digest(given, key):
                found = key_id
        return found

    def check(self, presented: str | None) -> str:
        """A short, non-secret id of the key (for rate limits); ApiError 401 when wrong."""
        key_id = self.key_id(presented)
        if key_id is not None:
            return key_id
        if not presented:
            raise ApiError(401, "Unauthorized", f"Missing API key: send the {HEADER} header.")
        raise ApiError(401, "Unauthorized", f"Invalid API key in the {HEADER} header.")
