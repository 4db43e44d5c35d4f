"""Canned answers for the synchronous RouterOS command endpoint.

The body follows the documentation of this very path (``POST /api/synchronous/{siteId}``, from the
MikroCloud developer API that SDX grew from): ``{"command": "/ip/arp/print", "parameters": "<one API word>"}``
with ``parameters`` an optional string. Any other shape is answered 400 ``parameter_invalid``.
"""

from __future__ import annotations

from .fleet import Site
from .state import invalid


def check_body(body: object) -> tuple[str, str | None]:
    """The command and its parameter word, or an ApiError for a body the documentation does not allow."""
    if not isinstance(body, dict) or not isinstance(body.get("command"), str) or not body["command"].strip():
        raise invalid("parameter_missing", "The 'command' parameter is required.")
    parameters = body.get("parameters")
    if parameters is not None and not isinstance(parameters, str):
        raise invalid("parameter_invalid", "The 'parameters' parameter must be a string.")
    return body["command"], parameters


def run_command(site: Site, command: str, parameters: str | None = None) -> list[dict]:
    """Answer like RouterOS over the API: a list of records with string values, filtered by a query word."""
    return _apply(_records(site, command.strip().rstrip("/")), parameters)


def _records(site: Site, path: str) -> list[dict]:
    if path == "/system/resource/print":
        return [{
            "uptime": "3d14h5m", "version": f"{site.software_version} (stable)", "cpu-load": "3",
            "free-memory": "861798400", "total-memory": "1073741824", "architecture-name": site.architecture_name,
            "board-name": site.board_name, "platform": "MikroTik",
        }]
    if path == "/system/identity/print":
        return [{"name": site.identity}]
    if path == "/ip/address/print":
        return [
            {".id": "*1", "address": "192.168.88.1/24", "network": "192.168.88.0", "interface": "bridge"},
            {".id": "*2", "address": f"{site.last_seen_from}/24", "network": "198.51.100.0", "interface": "ether1"},
        ]
    if path == "/interface/print":
        return [
            {".id": "*1", "name": "ether1", "type": "ether", "running": "true"},
            {".id": "*2", "name": "bridge", "type": "bridge", "running": "true"},
        ]
    return []


def _apply(records: list[dict], word: str | None) -> list[dict]:
    """``?name=value`` keeps the records whose property equals value; ``=.proplist=a,b`` keeps those properties."""
    if not word:
        return records
    if word.startswith("?") and "=" in word:
        name, value = word[1:].split("=", 1)
        return [record for record in records if record.get(name) == value]
    if word.startswith("=.proplist="):
        keep = word[len("=.proplist="):].split(",")
        return [{key: value for key, value in record.items() if key in keep} for record in records]
    return records
