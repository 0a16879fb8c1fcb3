"""A real HTTP server on loopback that speaks Binance's and Polygon's wire formats.

The sources under test talk to it through their real clients (ccxt, httpx): no client object is
mocked. Failures (429, 5xx) are scripted per path prefix; every request is recorded.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "venues"
POLYGON_KEY = "test-polygon-key"
_INTERVAL_MS = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "1d": 86_400_000}


def load_fixture(name: str) -> Any:
    """A recorded response from tests/fixtures/venues."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def synthetic_klines(start: str, count: int, interval: str = "5m") -> list[list[Any]]:
    """`count` klines in Binance's array format, opening at `start`, prices rising by 1."""
    step = _INTERVAL_MS[interval]
    first = int(pd.Timestamp(start).value // 1_000_000)
    rows = []
    for i in range(count):
        t, price = first + i * step, 100.0 + i
        rows.append([t, f"{price:.8f}", f"{price + 2:.8f}", f"{price - 1:.8f}",
                     f"{price + 1:.8f}", f"{10 + i:.8f}", t + step - 1, f"{(10 + i) * price:.8f}",
                     50 + i, f"{(10 + i) / 2:.8f}", f"{(10 + i) * price / 2:.8f}", "0"])
    return rows


def polygon_aggs(klines: list[list[Any]]) -> list[dict[str, Any]]:
    """The same candles as Polygon aggregate results (`t` ms, `o h l c v`, `vw`, `n`)."""
    return [{"v": float(k[5]), "vw": float(k[4]), "o": float(k[1]), "c": float(k[4]),
             "h": float(k[2]), "l": float(k[3]), "t": int(k[0]), "n": int(k[8])} for k in klines]


@dataclass
class Failure:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class VenueState:
    """What the server serves: Binance klines per symbol, Polygon aggregates per ticker."""

    klines: dict[str, list[list[Any]]] = field(default_factory=dict)
    aggs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    polygon_page_size: int = 50_000
    recorded_polygon: dict[str, Any] | None = None
    failures: list[tuple[str, Failure]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, path_prefix: str, status: int, body: Any = None, *, times: int = 1,
             headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests under `path_prefix` with this status."""
        for _ in range(times):
            self.failures.append((path_prefix, Failure(status, body, headers or {})))

    def paths(self, prefix: str) -> list[tuple[str, dict[str, str]]]:
        return [(p, q) for p, q in self.requests if p.startswith(prefix)]


class VenueServer:
    """ThreadingHTTPServer on 127.0.0.1, port chosen by the OS; `url` is its root."""

    def __init__(self) -> None:
        self.state = VenueState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> VenueServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def running_server() -> Iterator[VenueServer]:
    """Generator for a pytest fixture: one server per test."""
    with VenueServer() as server:
        yield server


class _Handler(BaseHTTPRequestHandler):
    state: VenueState

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.state.lock:
            self.state.requests.append((parts.path, query))
            failure = next(((i, f) for i, (prefix, f) in enumerate(self.state.failures)
                            if parts.path.startswith(prefix)), None)
            if failure is not None:
                del self.state.failures[failure[0]]
        if failure is not None:
            self._send(failure[1].status, failure[1].body, failure[1].headers)
        elif parts.path == "/api/v3/exchangeInfo":
            self._send(200, load_fixture("binance_exchange_info.json"))
        elif parts.path == "/api/v3/klines":
            self._send(*self._klines(query))
        elif parts.path.startswith("/v2/aggs/ticker/"):
            self._send(*self._aggs(parts.path, query))
        else:
            self._send(404, {"code": -1, "msg": f"no route {parts.path}"})

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        content_type = "text/html" if isinstance(body, str) else "application/json"
        self.send_header("Content-Type", f"{content_type};charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _klines(self, query: dict[str, str]) -> tuple[int, Any]:
        """GET /api/v3/klines: startTime / endTime inclusive on open time, limit <= 1000."""
        rows = self.state.klines.get(query.get("symbol", ""))
        if rows is None:
            return 400, {"code": -1121, "msg": "Invalid symbol."}
        start = int(query.get("startTime", 0))
        end = int(query.get("endTime", 2**62))
        limit = min(int(query.get("limit", 500)), 1000)
        return 200, [r for r in rows if start <= r[0] <= end][:limit]

    def _aggs(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        """GET /v2/aggs/ticker/{ticker}/range/{mult}/{span}/{from}/{to}, paged by `cursor`."""
        if query.get("apiKey") != POLYGON_KEY:
            return 401, {"status": "ERROR", "request_id": "b6f5a8", "error": "Unknown API Key"}
        recorded = self.state.recorded_polygon
        if recorded is not None:
            return 200, recorded["page2" if "cursor" in query else "page1"]
        _, _, _, _, ticker, _, _, _, start, end = path.split("/")
        rows = [a for a in self.state.aggs.get(ticker, []) if int(start) <= a["t"] <= int(end)]
        offset = int(base64.b64decode(query["cursor"])) if "cursor" in query else 0
        size = min(int(query.get("limit", 5000)), self.state.polygon_page_size)
        page = rows[offset:offset + size]
        body: dict[str, Any] = {
            "ticker": ticker, "queryCount": len(page), "resultsCount": len(page),
            "adjusted": query.get("adjusted") == "true", "status": "OK",
            "request_id": f"req{offset}", "count": len(page),
        }
        if page:
            body["results"] = page
        if offset + size < len(rows):
            cursor = base64.b64encode(str(offset + size).encode()).decode()
            body["next_url"] = f"https://api.polygon.io{path}?cursor={cursor}"
        return 200, body
