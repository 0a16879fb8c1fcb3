"""One JSON error shape for every failure: `{"error", "message", "path"}`, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradingia.core.errors import (
    ConfigError,
    DataValidationError,
    NotFoundError,
    SourceError,
    StoreError,
    TradingiaError,
    UnsupportedError,
)
from tradingia.services.predictor import ModelUnavailableError

log = logging.getLogger(__name__)

# Most specific first: the first matching class decides the status.
STATUS_BY_ERROR: tuple[tuple[type[TradingiaError], int], ...] = (
    (ModelUnavailableError, 503),
    (UnsupportedError, 422),
    (DataValidationError, 422),
    (NotFoundError, 404),
    (SourceError, 502),
    (StoreError, 503),
    (ConfigError, 503),
)


class ApiError(Exception):
    """An error the API answers with `status` (auth, rate limits, bad requests)."""

    def __init__(self, status: int, error: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


def status_for(exc: TradingiaError) -> int:
    """HTTP status of a platform error (400 for any error not listed)."""
    return next((code for cls, code in STATUS_BY_ERROR if isinstance(exc, cls)), 400)


def error_response(status: int, error: str, message: str, path: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error body."""
    return JSONResponse({"error": error, "message": message, "path": path}, status, headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg")))
    return "Invalid request. " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Map platform errors, HTTP errors, validation errors and crashes to the error shape."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.message, request.url.path, exc.headers)

    @app.exception_handler(TradingiaError)
    async def _platform(request: Request, exc: TradingiaError) -> JSONResponse:
        return error_response(status_for(exc), type(exc).__name__, str(exc), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "ValidationError", _validation_message(exc), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, "HTTPError", str(exc.detail), request.url.path,
                              headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, "InternalError",
                              "Internal server error; the details are in the server log.",
                              request.url.path)
