"""The cache-hit fast path of `POST /api/v1/predictions`, as pure ASGI middleware.

A cached prediction is JSON bytes already; what costs is the framework around it (routing,
dependency solving, pydantic validation of the body). `CachedPredictions` answers a request
itself only when it is plainly valid and its prediction is in the cache, with what the route
would answer: the same key check, per-key rate limit, metrics, body and `X-Cache: hit`.
Everything else (a miss, `Cache-Control`, a body the route might read differently, a missing
or wrong key) goes to the app unchanged, with the body it read replayed, so every answer
but a plain hit still comes from the documented route.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradingia.api.deps import AppState
from tradingia.api.errors import ApiError, error_response
from tradingia.api.schemas import PredictionRequest
from tradingia.core.timeframes import Timeframe

PATH = "/api/v1/predictions"
MAX_BODY = 4096
_FIELDS = frozenset(PredictionRequest.model_fields)
_TIMEFRAMES = {tf.value: tf for tf in Timeframe}
_JSON = b"application/json"


def _bound(field: str, attr: str) -> int:
    """A limit of a `PredictionRequest` field, e.g. the `max_length` of `symbol`."""
    for meta in PredictionRequest.model_fields[field].metadata:
        if getattr(meta, attr, None) is not None:
            return int(getattr(meta, attr))
    raise LookupError(f"PredictionRequest.{field} has no {attr}")  # pragma: no cover


# The request's limits and defaults, read from the model so they cannot drift from it.
_SYMBOL_MIN = _bound("symbol", "min_length")
_SYMBOL_MAX = _bound("symbol", "max_length")
_HORIZON_MIN = _bound("horizon", "ge")
_HORIZON_MAX = _bound("horizon", "le")
_DEFAULT_TIMEFRAME = Timeframe(PredictionRequest.model_fields["timeframe"].default).value
_DEFAULT_HORIZON = int(PredictionRequest.model_fields["horizon"].default)


def parse_request(body: bytes) -> tuple[str, Timeframe, int] | None:
    """(symbol, timeframe, horizon) of a body that `PredictionRequest` surely accepts as is,
    else None (the route then validates it and answers)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if type(data) is not dict or not data.keys() <= _FIELDS:
        return None
    symbol, timeframe, horizon = (data.get("symbol"), data.get("timeframe", _DEFAULT_TIMEFRAME),
                                  data.get("horizon", _DEFAULT_HORIZON))
    if type(symbol) is not str or not _SYMBOL_MIN <= len(symbol) <= _SYMBOL_MAX:
        return None
    if type(horizon) is not int or not _HORIZON_MIN <= horizon <= _HORIZON_MAX:
        return None
    tf = _TIMEFRAMES.get(timeframe) if type(timeframe) is str else None
    return None if tf is None else (symbol, tf, horizon)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives back the messages already read, then reads on."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class CachedPredictions:
    """Answers cache hits of `POST /api/v1/predictions`; passes everything else on."""

    def __init__(self, app: ASGIApp, state: AppState, route: BaseRoute | None = None) -> None:
        self.app, self.state, self.route = app, state, route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH
                or self.state.engine is None):
            await self.app(scope, receive, send)
            return
        key, length, plain, json_body = None, -1, True, False
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                key = value if key is None else key
            elif name == b"content-length":
                length = int(value) if value.isdigit() and length == -1 else MAX_BODY + 1
            elif name == b"content-type":
                json_body = not json_body and value.split(b";", 1)[0].strip().lower() == _JSON
                plain = plain and json_body
            elif name in (b"cache-control", b"transfer-encoding"):
                plain = False
        if not (plain and json_body and 0 < length <= MAX_BODY):
            await self.app(scope, receive, send)
            return
        messages, body = await self._read(receive)
        reply = None if body is None else await self._hit(
            scope, body, None if key is None else key.decode("latin-1"))
        if reply is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        scope["route"] = self.route  # the route's name in the latency metrics
        if isinstance(reply, JSONResponse):
            await reply(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(reply)).encode()), (b"content-type", _JSON),
            (b"x-cache", b"hit")]})
        await send({"type": "http.response.body", "body": reply})

    @staticmethod
    async def _read(receive: Receive) -> tuple[list[Message], bytes | None]:
        """The messages of the request body, and the body (None if the client went away)."""
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages, None
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return messages, b"".join(chunks)

    async def _hit(self, scope: Scope, body: bytes,
                   key: str | None) -> bytes | JSONResponse | None:
        """The cached body, the 429 answer once the key's window is used up, or None (a
        miss, or anything the route should answer): the request goes on to the route."""
        state, engine = self.state, self.state.engine
        key_id = state.keys.key_id(key)
        parsed = None if key_id is None else parse_request(body)
        if key_id is None or parsed is None or engine is None or state.limiter is None:
            return None
        symbol, tf, horizon = parsed
        try:
            name, tf = engine.check_request(symbol, tf.value, horizon)
            reply = await engine.cached_prediction(name, tf, horizon)
            if reply is None:
                return None
            await state.limiter.hit("prediction", key_id, state.options.prediction_limit)
        except ApiError as exc:  # rate limited, as the route's dependency would answer
            return error_response(exc.status, exc.error, exc.message, Request(scope).url.path,
                                  exc.headers)
        except Exception:  # an unsupported value, a cache down: the route answers it
            return None
        state.metrics.prediction(symbol, horizon, True)
        return reply
