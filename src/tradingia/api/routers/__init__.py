"""The API's routers, one module per area; each route is a few lines over `services`."""

from typing import Any

from tradingia.api.schemas import ErrorBody

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in ((401, "Missing or invalid API key"), (404, "Not found"),
                       (422, "Unsupported or invalid input"), (429, "Rate limited"),
                       (503, "Model or backend not available"))
}
