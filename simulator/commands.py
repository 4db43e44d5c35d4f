"""The synchronous RouterOS command endpoint: ``print`` answered from the site router's state.

The body follows the documentation of this very path (``POST /api/synchronous/{siteId}``, from the
MikroCloud developer API that SDX grew from): ``{"command": "/ip/arp/print", "parameters": "<one API word>"}``
with ``parameters`` an optional string. Any other shape is answered 400 ``parameter_invalid``.

The answer comes in one of the documented shapes (``SHAPES``), chosen by a switch:

- ``envelope`` (default): ``{"status": "success", "data": [...]}``, each row as the RouterOS API sends it
  (hyphenated keys, every value a string);
- ``typed``: a bare array of rows with ``.id`` and hyphenated keys, booleans and numbers as JSON ones (the older
  altostrat.io page);
- ``strings``: ``{"status": "success", "data": [...]}`` with every value a string and underscored keys
  (``mac_address``; the MikroCloud developer API).
"""

from __future__ import annotations

from .fleet import Site
from .routeros.render import print_rows
from .routeros.router import Router
from .routeros.values import Value, as_text
from .state import invalid

SHAPES = ("envelope", "typed", "strings")


def check_body(body: object) -> tuple[str, str | None]:
    """The command and its parameter word, or an ApiError for a body the documentation does not allow."""
    if not isinstance(body, dict) or not isinstance(body.get("command"), str) or not body["command"].strip():
        raise invalid("parameter_missing", "The 'command' parameter is required.")
    parameters = body.get("parameters")
    if parameters is not None and not isinstance(parameters, str):
        raise invalid("parameter_invalid", "The 'parameters' parameter must be a string.")
    return body["command"], parameters


def run_command(site: Site, command: str, parameters: str | None, router: Router) -> list[dict[str, Value]]:
    """Answer like RouterOS over the API: the rows of a ``print``, filtered by a query word."""
    path = command.strip().rstrip("/")
    return _apply(_rows(site, path, router), parameters)


def _rows(site: Site, path: str, router: Router) -> list[dict[str, Value]]:
    if path == "/system/resource/print":
        return [{
            "uptime": "3d14h5m", "version": f"{site.software_version} (stable)", "cpu-load": 3,
            "free-memory": 861798400, "total-memory": 1073741824, "architecture-name": site.architecture_name,
            "board-name": site.board_name, "platform": "MikroTik",
        }]
    if not path.endswith("/print"):
        return []
    menu = "/" + " ".join(word for word in path[:-len("/print")].split("/") if word)
    return print_rows(router, menu) or []


def _apply(rows: list[dict[str, Value]], word: str | None) -> list[dict[str, Value]]:
    """``?name=value`` keeps the rows whose property equals value; ``=.proplist=a,b`` keeps those properties."""
    if not word:
        return rows
    if word.startswith("?") and "=" in word:
        name, value = word[1:].split("=", 1)
        return [row for row in rows if name in row and as_text(row[name]) == value]
    if word.startswith("=.proplist="):
        keep = word[len("=.proplist="):].split(",")
        return [{key: value for key, value in row.items() if key in keep} for row in rows]
    return rows


def shaped(rows: list[dict[str, Value]], shape: str) -> object:
    """The answer body for ``rows`` in one of ``SHAPES``."""
    if shape == "typed":
        return rows
    if shape == "strings":
        return {"status": "success", "data": [{key.replace("-", "_"): as_text(value) for key, value in row.items()}
                                              for row in rows]}
    return {"status": "success", "data": [{key: as_text(value) for key, value in row.items()} for row in rows]}
