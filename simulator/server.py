"""HTTP front of the simulator: routing, auth, rate limit, faults and the request log."""

from __future__ import annotations

import hmac
import json
import re
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .commands import check_body, run_command, shaped
from .control import control
from .faults import DEFAULT_STATUS, FaultRule
from .fleet import iso
from .response import Response
from .state import DOC_URL, ApiError, Simulator, check_latest_body, invalid, not_found, validate_async_body

__all__ = ["Simulator", "SimulatorServer"]

ROUTES = (
    ("GET", re.compile(r"^/sites$"), "list_sites"),
    ("GET", re.compile(r"^/sites/(?P<site>[^/]+)$"), "get_site"),
    ("GET", re.compile(r"^/sites/(?P<site>[^/]+)/metadata$"), "site_metadata"),
    ("GET", re.compile(r"^/site/(?P<site>[^/]+)/job$"), "list_jobs"),
    ("GET", re.compile(r"^/site/(?P<site>[^/]+)/job/(?P<job>[^/]+)$"), "get_job"),
    ("DELETE", re.compile(r"^/site/(?P<site>[^/]+)/job/(?P<job>[^/]+)$"), "cancel_job"),
    ("POST", re.compile(r"^/api/asynchronous/(?P<site>[^/]+)$"), "queue_async"),
    ("POST", re.compile(r"^/api/synchronous/(?P<site>[^/]+)$"), "run_sync"),
    ("POST", re.compile(r"^/backup/(?P<site>[^/]+)$"), "request_backup"),
    ("GET", re.compile(r"^/backup/(?P<site>[^/]+)$"), "list_backups"),
    ("GET", re.compile(r"^/backup/(?P<site>[^/]+)/(?P<filename>[^/]+)$"), "get_backup"),
    ("POST", re.compile(r"^/backups/latest$"), "latest_backups"),
)
HTML_ERROR_PAGE = "<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1><hr>nginx</body></html>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "SimulatorServer"
    fault: FaultRule | None = None

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):  # pylint: disable=invalid-name
        self._dispatch("GET")

    def do_POST(self):  # pylint: disable=invalid-name
        self._dispatch("POST")

    def do_DELETE(self):  # pylint: disable=invalid-name
        self._dispatch("DELETE")

    def do_PATCH(self):  # pylint: disable=invalid-name
        self._dispatch("PATCH")

    # -- plumbing -----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        if response.payload or response.status != 204:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.payload:
            self.wfile.write(response.payload)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _auth_state(self) -> str:
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            return "missing"
        sent = header[len("Bearer "):].strip()
        return "ok" if hmac.compare_digest(sent.encode(), self.server.sim.token.encode()) else "invalid"

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path.rstrip("/") or "/", parse_qs(parts.query)
        raw = self._read_body()
        if path.startswith("/_sim/"):
            self._send(control(self.server.sim, method, path, _json_or_none(raw)))
            return
        sim = self.server.sim
        entry = {"time": time.time(), "method": method, "path": path, "query": parts.query,
                 "auth": self._auth_state(), "status": None, "fault": None, "body": _json_or_none(raw),
                 "landed": False}
        fault = sim.faults.take(method, path, entry["body"])
        entry["fault"] = fault.action if fault else None
        sim.record(entry)
        if fault is not None and fault.action == "drop_before":
            entry["landed"] = True
            self._drop()
            return
        if fault is not None and fault.action == "delay":
            time.sleep(fault.seconds)  # a slow server: the request is processed when the delay ends
        self.fault = fault
        if fault is not None and fault.action == "status":
            response = _fault_response(fault)
        else:
            response = self._api(method, path, query, raw, entry["auth"])
        if fault is not None and fault.action == "body":
            payload = fault.payload()
            response.payload = json.dumps(fault.body).encode() if payload is None else payload
            response.status = fault.status if fault.status is not None else response.status
            response.content_type = fault.content_type or response.content_type
        if fault is not None:
            response.headers.update(fault.headers)
        entry["status"] = response.status
        entry["landed"] = True  # processed: whatever it did is visible from now on
        if fault is not None and fault.action == "drop_after":
            entry["status"] = None
            self._drop()
            return
        try:
            self._send(response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _api(self, method: str, path: str, query: dict, raw: bytes, auth: str) -> Response:
        sim = self.server.sim
        if auth != "ok":
            return Response(401, {"message": "Unauthenticated."})
        allowed, remaining, wait = sim.limiter.check(sim.token)
        if not allowed:
            headers = {"X-RateLimit-Limit": str(sim.limiter.per_minute), "X-RateLimit-Remaining": "0"}
            if sim.retry_after:
                headers["Retry-After"] = str(wait)
            return Response(429, {"message": "Too Many Attempts."}, headers)
        headers = {}
        if remaining >= 0:
            headers = {"X-RateLimit-Limit": str(sim.limiter.per_minute), "X-RateLimit-Remaining": str(remaining)}
        path_known = False
        for route_method, pattern, name in ROUTES:
            match = pattern.match(path)
            if not match or (name == "latest_backups" and not sim.settings["bulk_backups"]):
                continue
            path_known = True
            if route_method != method:
                continue
            try:
                response = getattr(self, "api_" + name)(query=query, raw=raw, **match.groupdict())
            except ApiError as error:
                response = Response(error.status, error.body)
            response.headers.update(headers)
            return response
        if path_known:
            return Response(405, {"type": "invalid_request_error", "code": "method_not_allowed",
                                  "message": f"{method} is not allowed on {path}.",
                                  "doc_url": DOC_URL + "method_not_allowed"})
        return Response(404, not_found("route", path).body)

    # -- API endpoints --------------------------------------------------------------------------
    def api_list_sites(self, query: dict, raw: bytes) -> Response:
        del raw
        page = int((query.get("page") or ["1"])[0])
        host = self.headers.get("Host") or "127.0.0.1"
        return Response(200, raw=self.server.sim.sites_page(page, f"http://{host}"))

    def api_get_site(self, site: str, query: dict, raw: bytes) -> Response:
        del query, raw
        sim = self.server.sim
        return Response(200, sim.fleet.site_api(sim.site(site)))

    def api_site_metadata(self, site: str, query: dict, raw: bytes) -> Response:
        del query, raw
        return Response(200, self.server.sim.site(site).metadata())

    def api_list_jobs(self, site: str, query: dict, raw: bytes) -> Response:
        del query, raw
        sim = self.server.sim
        sim.site(site)
        return Response(200, [job.to_api() for job in sim.fleet.site_jobs(site)])

    def _job(self, site: str, job: str):
        sim = self.server.sim
        sim.site(site)
        found = sim.fleet.job(site, job)
        if found is None:
            raise not_found("job", job)
        return found

    def api_get_job(self, site: str, job: str, query: dict, raw: bytes) -> Response:
        del query, raw
        return Response(200, self._job(site, job).to_api())

    def api_cancel_job(self, site: str, job: str, query: dict, raw: bytes) -> Response:
        del query, raw
        found = self._job(site, job)
        if not self.server.sim.fleet.cancel(found):
            raise invalid("job_already_started", "The job has already started and can no longer be cancelled.")
        return Response(204)

    def api_queue_async(self, site: str, query: dict, raw: bytes) -> Response:
        del query
        sim = self.server.sim
        target = sim.site(site)
        body = validate_async_body(_json_or_none(raw))
        job = sim.fleet.queue(target, body)
        sim.notifier.watch(job)
        return Response(202, {"status": "success", "data": {
            "idempotency_key": job.idempotency_key,
            "request_id": str(uuid.uuid4()),
            "target": target.id,
            "notify_url": body.get("notify_url"),
            "date": iso(job.created_at).replace("Z", "+00:00"),
        }})

    def api_run_sync(self, site: str, query: dict, raw: bytes) -> Response:
        del query
        target = self.server.sim.site(site)
        command, parameters = check_body(_json_or_none(raw))
        sim = self.server.sim
        sim.fleet.catch_up(target.id, time.monotonic())  # what jobs changed by now is what print shows
        if not target.online:
            raise _unreachable(sim, target)
        with sim.fleet.lock:
            rows = run_command(target, command, parameters, sim.routers.router(target))
        return Response(200, shaped(rows, sim.settings["sync_shape"]))

    def api_request_backup(self, site: str, query: dict, raw: bytes) -> Response:
        del query, raw
        target = self.server.sim.site(site)
        if self.fault is not None and self.fault.action == "stamp":
            self.server.sim.backups.request(target, stamp_at_job_end=True)
        else:
            self.server.sim.backups.request(target)
        return Response(202, {"message": "Backup requested"})

    def api_list_backups(self, site: str, query: dict, raw: bytes) -> Response:
        del query, raw
        store, target = self.server.sim.backups, self.server.sim.site(site)
        return Response(200, [store.to_api(target, backup) for backup in store.listed(target)])

    def api_get_backup(self, site: str, filename: str, query: dict, raw: bytes) -> Response:
        del query, raw
        store, target = self.server.sim.backups, self.server.sim.site(site)
        backup = store.find(target, filename)
        if backup is None:
            raise not_found("backup", filename)
        data = store.to_api(target, backup, with_content=True)
        if (self.headers.get("X-View") or "").lower() == "true":
            return Response(200, raw=data["content"].encode(), content_type="text/plain; charset=utf-8")
        return Response(200, data)

    def api_latest_backups(self, query: dict, raw: bytes) -> Response:
        del query
        return Response(200, self.server.sim.backups.latest_of(check_latest_body(_json_or_none(raw))))


def _unreachable(sim: Simulator, site) -> ApiError:
    """The tunnel is down: 409 ``site_offline`` once SDX counts the site offline (no pulse), before that 504, as a
    gateway whose call through the tunnel went unanswered (the documentation says only that the command fails)."""
    if not sim.fleet.heartbeats.pulse(site.presence, time.monotonic()):
        return ApiError(409, "invalid_request_error", "site_offline",
                        f"Site '{site.id}' is offline; synchronous commands need a live management tunnel.")
    return ApiError(504, "api_error", "tunnel_timeout",
                    f"Site '{site.id}' did not answer through its management tunnel in time.")


def _json_or_none(raw: bytes) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _fault_response(fault: FaultRule) -> Response:
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    status = fault.status if fault.status is not None else DEFAULT_STATUS
    if fault.html:
        page = HTML_ERROR_PAGE.format(status=status).encode()
        return Response(status, raw=page, headers=headers, content_type="text/html")
    if status == 429:
        return Response(429, {"message": "Too Many Attempts."}, headers)
    return Response(status, {"type": "api_error", "code": "internal_server_error",
                             "message": "Something went wrong on our end.",
                             "doc_url": DOC_URL + "internal_server_error"}, headers)


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], sim: Simulator, verbose: bool = False) -> None:
        super().__init__(address, Handler)
        self.sim = sim
        self.verbose = verbose

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"
