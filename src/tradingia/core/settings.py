"""Platform settings: `TRADINGIA_*` environment variables, `.env`, or a TOML file.

Frozen and strict: an unknown key in `.env` or the TOML file is an error, not a silent typo.
Built lazily by `get_settings()`; nothing is read at import time.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tradingia.core.errors import ConfigError

CONFIG_FILE_ENV = "TRADINGIA_CONFIG"
DEFAULT_CONFIG_FILE = "tradingia.toml"


class Settings(BaseSettings):
    """Everything the wiring layer (`services`) needs to build stores, caches and executors."""

    model_config = SettingsConfigDict(
        env_prefix="TRADINGIA_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        frozen=True,
    )

    home: Path = Field(default=Path(".tradingia"), description="Embedded stores and model files.")
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL for server mode; unset means embedded mode."
    )
    redis_url: str | None = Field(default=None, description="Redis URL for cache and pub-sub.")
    dask_scheduler: str | None = Field(default=None, description="Dask scheduler address.")
    polygon_api_key: SecretStr | None = Field(default=None, description="Polygon.io API key.")
    polygon_base_url: str = Field(default="https://api.polygon.io")
    binance_base_url: str | None = Field(
        default=None, description="Override of Binance's REST root (tests, mirrors)."
    )
    api_keys: str = Field(default="", description="Comma-separated API keys for `serve`.")
    sync_interval_seconds: int = Field(default=300, gt=0)
    sync_source: str = Field(default="binance", description="Venue the sync job fetches from.")
    sync_targets: str = Field(
        default="",
        description="Series the sync job keeps fresh, e.g. 'BTCUSDT:5m,ETHUSDT:5m'; "
        "empty means every stored series the venue lists.",
    )
    http_timeout_seconds: float = Field(default=30.0, gt=0)
    http_max_retries: int = Field(default=5, ge=0)
    log_level: str = Field(default="INFO")

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql", "postgres://")):
            raise ValueError("database_url must be a PostgreSQL URL (postgresql://...)")
        return value

    @property
    def mode(self) -> str:
        """'embedded' without a database URL, 'cluster' with a Dask scheduler, else 'server'."""
        if self.database_url is None:
            return "embedded"
        return "cluster" if self.dask_scheduler else "server"

    @property
    def api_key_list(self) -> tuple[str, ...]:
        """The configured API keys, stripped, empty entries dropped."""
        return tuple(k.strip() for k in self.api_keys.split(",") if k.strip())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence: arguments, environment, `.env`, then the TOML file."""
        toml_path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return (init_settings, env_settings, dotenv_settings, toml)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment; a bad value raises ConfigError saying which."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(
            "Invalid tradingia settings (TRADINGIA_* variables, .env or tradingia.toml):\n"
            + "\n".join(lines)
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use."""
    return load_settings()
