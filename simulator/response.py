"""One HTTP answer of the simulator: status, headers, and a JSON body or raw bytes."""

from __future__ import annotations

import json


class Response:
    def __init__(self, status: int, body: object = None, headers: dict | None = None, raw: bytes | None = None,
                 content_type: str = "application/json") -> None:
        self.status = status
        self.headers = headers or {}
        self.content_type = content_type
        if raw is not None:
            self.payload = raw
        elif body is None:
            self.payload = b""
        else:
            self.payload = json.dumps(body).encode()
