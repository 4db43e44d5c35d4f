"""Fault injection rules for the simulator (tests only)."""

from __future__ import annotations

import base64
import binascii
import re
import threading
from dataclasses import dataclass, field

# delay: the request waits ``seconds`` before it is processed (a slow server: the work is done, and a job
# created, when the delay ends, even if the client gave up long before). body: the request is processed as
# usual and answered with ``body`` (any JSON value), or with the bytes of ``raw`` (text, sent as UTF-8) or
# ``raw_base64`` (any bytes: a body that is not UTF-8, or JSON nested deeper than a JSON reader can take),
# instead of the real answer, keeping the real status unless ``status`` is given. stamp: ``POST /backup/{siteId}``
# is processed as usual, but the backup is stamped at the moment the site's newest job ended (a router that
# exports within the second its last job ended). ``headers`` are added to the answer of any action. ``script`` (a
# regular expression) makes a rule match only requests whose JSON body has a ``script`` it finds in (a queued job's).
ACTIONS = ("status", "drop_before", "drop_after", "delay", "body", "stamp")
DEFAULT_STATUS = 503


@dataclass
class FaultRule:
    """One injected fault: which requests it matches, what it does, how often."""

    action: str
    method: str | None = None
    path: str | None = None
    script: str | None = None
    status: int | None = None
    retry_after: str | None = None
    html: bool = False
    seconds: float = 0.0
    body: object = None
    raw: str | None = None
    raw_base64: str | None = None
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    skip: int = 0
    count: int = 1
    fired: int = 0

    @classmethod
    def from_json(cls, data: dict) -> "FaultRule":
        if data.get("action") not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        known = {"action", "method", "path", "script", "status", "retry_after", "html", "seconds", "body", "raw",
                 "raw_base64", "content_type", "headers", "skip", "count"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        rule = cls(**data)
        if rule.retry_after is not None:
            rule.retry_after = str(rule.retry_after)
        if not isinstance(rule.headers, dict) or not all(isinstance(v, str) for v in rule.headers.values()):
            raise ValueError("headers must be an object of strings")
        if rule.script is not None:
            try:
                re.compile(rule.script)
            except (re.error, TypeError):
                raise ValueError("script must be a regular expression") from None
        if rule.raw_base64 is not None:
            try:
                base64.b64decode(rule.raw_base64, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("raw_base64 must be base64") from None
        return rule

    def payload(self) -> bytes | None:
        """The bytes a ``body`` fault answers with: ``raw_base64``, ``raw`` or ``body``; None for the real answer."""
        if self.raw_base64 is not None:
            return base64.b64decode(self.raw_base64)
        if self.raw is not None:
            return self.raw.encode("utf-8", "surrogatepass")
        return None

    def matches(self, method: str, path: str, body: object = None) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.script is not None:
            script = body.get("script") if isinstance(body, dict) else None
            if not isinstance(script, str) or not re.search(self.script, script):
                return False
        return not self.path or path.startswith(self.path)

    def to_json(self) -> dict:
        return dict(self.__dict__)


class FaultBook:
    """Holds the active fault rules; the first matching live rule fires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str, body: object = None) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.fired >= rule.count or not rule.matches(method, path, body):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                rule.fired += 1
                return rule
        return None

    def to_json(self) -> list[dict]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]
