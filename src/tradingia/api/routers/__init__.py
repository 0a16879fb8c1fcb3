"""The API's routers, one module per area; each route is a few lines over `services`."""

from datetime import datetime
from typing import Any

import pandas as pd

from tradingia.api.schemas import ErrorBody
from tradingia.tracking.outcomes import utc

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in ((401, "Missing or invalid API key"), (404, "Not found"),
                       (422, "Unsupported or invalid input"), (429, "Rate limited"),
                       (503, "Model or backend not available"))
}


def optional_utc(value: datetime | None) -> pd.Timestamp | None:
    """A query's optional time as a UTC timestamp (naive means UTC)."""
    return None if value is None else utc(value)
