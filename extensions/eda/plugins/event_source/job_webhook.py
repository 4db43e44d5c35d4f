# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""altostrat.sdx.job_webhook: receive the notifications SDX sends to a job's notify_url."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import ssl
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Optional

from aiohttp import web

if TYPE_CHECKING:  # the collection is importable only once _events_module has run
    from ansible_collections.altostrat.sdx.plugins.module_utils._events import Notification
    from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI

DOCUMENTATION = r"""
---
short_description: Receive SDX job notifications (notify_url) as events.
description:
  - An ansible-rulebook event source that runs an HTTP(S) server for the notifications SDX sends to the
    C(notify_url) of a queued job, when the job is loaded (pending), running, completed, failed or deleted.
  - SDX documents no signature for these calls, so the secret travels in the URL. A request counts only when
    its path ends in C(/<token>), for example C(https://eda.example.com/sdx/<token>) behind a reverse proxy.
    Anything else gets HTTP 404 and makes no event.
  - Each event holds one C(sdx) dictionary with C(kind=job), C(status), C(previous_status), C(site_id),
    C(job_id), C(idempotency_key) and C(job). The status C(deleted) becomes C(cancelled), as in the modules. A repeated notification (same job
    and status) makes one event.
  - See the Event-Driven Ansible guide of the collection for the reverse proxy set-up and the security notes.
options:
  host:
    description: Address to listen on.
    type: str
    default: 0.0.0.0
  port:
    description: TCP port to listen on.
    type: int
    default: 5000
  token:
    description:
      - The secret last path segment. At least 16 characters of letters, digits, C(-) and C(_).
      - Treat it like a password; it is never logged.
    type: str
    required: true
  certfile:
    description: PEM certificate chain; with it the server speaks HTTPS (SDX only calls https URLs).
    type: str
  keyfile:
    description: PEM private key of O(certfile), when it is not in the same file.
    type: str
  max_body_bytes:
    description: Larger bodies get HTTP 413 and make no event.
    type: int
    default: 65536
  verify:
    description:
      - Confirm each notification with C(GET /site/{router_id}/job/{job_id}) before it becomes an event.
      - A job SDX does not know makes no event (HTTP 404 to the caller); the event carries the status and
        the job that the API reports. If the API cannot be reached the caller gets HTTP 503.
      - Uses the connection options below, with the same environment variables as the modules, and spends
        the same shared rate budget.
    type: bool
    default: false
  api_url:
    description: SDX API base URL (env C(SDX_API_URL)); only used with O(verify=true).
    type: str
    default: https://v1.api.altostrat.io
  api_token:
    description: SDX API token (env C(SDX_API_TOKEN)); only used with O(verify=true). Prefer the variable.
    type: str
  validate_certs:
    description: Verify the API's TLS certificate (env C(SDX_VALIDATE_CERTS)).
    type: bool
    default: true
  ca_path:
    description: CA bundle for the API's certificate.
    type: str
  timeout:
    description: Seconds per API request.
    type: float
    default: 30
  rate_limit:
    description: Requests per minute of the shared budget (env C(SDX_RATE_LIMIT)); 0 turns it off.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Job notifications from SDX
  hosts: localhost
  sources:
    - altostrat.sdx.job_webhook:
        host: 127.0.0.1
        port: 5000
        token: "{{ sdx_webhook_token }}"
        verify: true
  rules:
    - name: A job failed
      condition: event.sdx.status == "failed"
      action:
        debug:
          msg: "job {{ event.sdx.job_id }} failed on {{ event.sdx.site_id }}"
"""

logger = logging.getLogger(__name__)
MIN_TOKEN_LENGTH = 16
TOKEN_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _events_module() -> ModuleType:
    """The collection's event helpers, also when ansible-rulebook runs this file by path."""
    try:
        from ansible_collections.altostrat.sdx.plugins.module_utils import _events  # pylint: disable=import-outside-toplevel
    except ImportError:
        # ansible-rulebook loads sources with runpy, without Ansible's collection loader: make the
        # ansible_collections directory that holds this file importable, then try again.
        collections_dir = Path(__file__).absolute().parents[6]
        if collections_dir.name != "ansible_collections":
            raise
        sys.path.append(str(collections_dir.parent))
        from ansible_collections.altostrat.sdx.plugins.module_utils import _events  # pylint: disable=import-outside-toplevel
    return _events


def settings_from(args: dict[str, Any], events: ModuleType) -> dict[str, Any]:
    """The checked options; ValueError names the first bad one."""
    token = args.get("token")
    if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH or not set(token) <= TOKEN_CHARACTERS:
        raise ValueError(f"token: expected at least {MIN_TOKEN_LENGTH} letters, digits, '-' or '_' "
                         f"(the secret last segment of the notify_url path)")
    settings = {
        "host": args.get("host") or "0.0.0.0",
        "token": token,
        "certfile": args.get("certfile"),
        "keyfile": args.get("keyfile"),
        "port": events.as_number(args.get("port", 5000), "port", int, minimum=0),
        "max_body_bytes": events.as_number(args.get("max_body_bytes", 65536), "max_body_bytes", int, minimum=1),
        "verify": events.as_bool(args.get("verify", False), "verify"),
    }
    if settings["keyfile"] and not settings["certfile"]:
        raise ValueError("keyfile: given without certfile")
    return settings


def ssl_context(settings: dict[str, Any]) -> ssl.SSLContext | None:
    if not settings["certfile"]:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings["certfile"], settings["keyfile"])
    return context


def _answer(status: int, **body: Any) -> web.Response:
    return web.json_response(body, status=status)


class Receiver:
    """Turns one notification request into at most one event."""

    def __init__(self, queue: asyncio.Queue, settings: dict[str, Any], events: ModuleType,
                 fleet: Optional[FleetAPI]) -> None:
        self.queue = queue
        self.token = settings["token"].encode()
        self.limit = settings["max_body_bytes"]
        self.events = events
        self.fleet = fleet  # None: notifications are not confirmed with the API
        self.memory = events.JobMemory()

    def token_ok(self, request: web.Request) -> bool:
        last = request.rel_url.raw_path.rstrip("/").rsplit("/", 1)[-1]
        return hmac.compare_digest(last.encode(), self.token)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.token_ok(request):
            logger.warning("refused a request from %s: the path does not end in the token", request.remote)
            return _answer(404, message="Not found")
        if request.method != "POST":
            return _answer(405, message="Only POST is accepted")
        if request.content_length is not None and request.content_length > self.limit:
            return _answer(413, message=f"The body is larger than {self.limit} bytes")
        try:
            raw = await request.content.read(self.limit + 1)
        except (ConnectionError, asyncio.IncompleteReadError):
            return _answer(400, message="The body could not be read")
        if len(raw) > self.limit:
            return _answer(413, message=f"The body is larger than {self.limit} bytes")
        try:
            note = self.events.parse_notification(json.loads(raw))
        except ValueError as error:  # bad JSON, or a NotificationError naming the field
            logger.warning("refused a malformed notification from %s: %s", request.remote, error)
            return _answer(400, message=f"Not an SDX job notification: {error}")
        return await self.accept(note)

    async def accept(self, note: Notification) -> web.Response:
        if self.memory.seen(note.job_id, note.status):
            return _answer(200, accepted=False, reason="duplicate")
        if self.fleet is None:
            event = self.events.notification_event(note, self.memory)
        else:
            try:
                job = await asyncio.to_thread(self.events.confirm_job, self.fleet, note)
            except self.events.SDXError as error:
                logger.warning("could not confirm job %s with the SDX API: %s", note.job_id, error)
                return _answer(503, message="The notification could not be confirmed with the SDX API")
            if job is None:
                logger.warning("SDX does not know job %s on site %s; no event", note.job_id, note.site_id)
                return _answer(404, message="SDX does not know this job")
            event = self.events.confirmed_event(note, job, self.memory)
        if event is None:
            return _answer(200, accepted=False, reason="duplicate")
        logger.info("job %s is %s", note.job_id, event["sdx"]["status"])
        await self.queue.put(event)
        return _answer(202, accepted=True)


def build_app(queue: asyncio.Queue, settings: dict[str, Any], args: dict[str, Any],
              events: ModuleType) -> web.Application:
    fleet = events.make_fleet(args, agent="job_webhook") if settings["verify"] else None
    receiver = Receiver(queue, settings, events, fleet)
    app = web.Application(client_max_size=settings["max_body_bytes"])
    app.router.add_route("*", "/{tail:.*}", receiver.handle)
    return app


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """Serve until ansible-rulebook cancels the source."""
    events = _events_module()
    settings = settings_from(args, events)
    app = build_app(queue, settings, args, events)
    runner = web.AppRunner(app, access_log=None)  # the access log would show the token in the path
    await runner.setup()
    site = web.TCPSite(runner, settings["host"], settings["port"], ssl_context=ssl_context(settings))
    await site.start()
    logger.info("job_webhook listening on %s:%s (%s)", settings["host"], settings["port"],
                "https" if settings["certfile"] else "http")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
