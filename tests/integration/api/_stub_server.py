"""A real uvicorn process serving `create_app(settings from the environment)` with the
StubPredictor (for the two-process pub-sub test): `python _stub_server.py PORT`."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_support import StubPredictor

from tradingia.api.app import create_app
from tradingia.core.settings import load_settings

if __name__ == "__main__":
    app = create_app(load_settings(), predictor=StubPredictor())
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                ws="websockets-sansio")
