"""Canned answers for the synchronous RouterOS command endpoint.

The body follows the documentation of this very path (``POST /api/synchronous/{siteId}``, from the
MikroCloud developer API that SDX grew from): ``{"command": "/ip/arp/print", "parameters": "<one API word>"}``
with ``parameters`` an optional string. Any other shape is answered 400 ``parameter_invalid``.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

from .fleet import Site
from .state import invalid

if TYPE_CHECKING:
    from .backups import BackupStore

Sections = dict[str, list[str]]
# name=value in an export line: the value quoted (backslash escapes allowed) or up to the next space.
_ATTRIBUTE = re.compile(r'(?P<name>[a-z0-9.][a-z0-9.-]*)=(?P<value>"(?:[^"\\]|\\.)*"|\S*)')


def check_body(body: object) -> tuple[str, str | None]:
    """The command and its parameter word, or an ApiError for a body the documentation does not allow."""
    if not isinstance(body, dict) or not isinstance(body.get("command"), str) or not body["command"].strip():
        raise invalid("parameter_missing", "The 'command' parameter is required.")
    parameters = body.get("parameters")
    if parameters is not None and not isinstance(parameters, str):
        raise invalid("parameter_invalid", "The 'parameters' parameter must be a string.")
    return body["command"], parameters


def current_sections(store: BackupStore, site: Site) -> Sections:
    """The site's configuration now: the seed plus every job completed so far (jobs advanced first)."""
    store.fleet.site_jobs(site.id)
    return store.sections_at(site, datetime.now(timezone.utc), strictly_before=False)


def run_command(site: Site, command: str, parameters: str | None = None,
                sections: Optional[Sections] = None) -> list[dict]:
    """Answer like RouterOS over the API: a list of records with string values, filtered by a query word.

    With ``sections`` (the site's configuration), a ``print`` of a section it holds answers from it, so
    what a completed job added shows up; without, the canned records.
    """
    path = command.strip().rstrip("/")
    return _apply(_configured(site, path, sections) or _records(site, path), parameters)


def _configured(site: Site, path: str, sections: Optional[Sections]) -> list[dict] | None:
    canned = ("/system/resource/print", "/system/identity/print")
    if sections is None or not path.endswith("/print") or path in canned:
        return None
    section = "/" + " ".join(word for word in path[:-len("/print")].split("/") if word)
    lines = sections.get(section)
    if not lines:
        return None
    records = [_record(line) for line in lines if line.startswith("add ")]
    records = [{".id": f"*{index:X}", **record} for index, record in enumerate(records, 1)]
    if not records:  # a section of settings (``set name=...``): one record, without an .id
        merged: dict[str, str] = {}
        for line in lines:
            if line.startswith("set ") and "[" not in line:
                merged.update(_record(line))
        records = [merged] if merged else []
    if section == "/ip address":
        records = [_with_network(record) for record in records] + [_dhcp_address(site, len(records) + 1)]
    return records


def _record(line: str) -> dict[str, str]:
    """The attributes of one export line as an API record: string values, quotes and escapes removed."""
    record = {}
    for match in _ATTRIBUTE.finditer(line.split(" ", 1)[1] if " " in line else ""):
        value = match["value"]
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        record[match["name"]] = value
    return record


def _with_network(record: dict[str, str]) -> dict[str, str]:
    """An address record as RouterOS prints it: with its network, derived when the line did not give one."""
    if "network" not in record and "/" in record.get("address", ""):
        try:
            record["network"] = str(ipaddress.ip_interface(record["address"]).network.network_address)
        except ValueError:
            pass
    return record


def _dhcp_address(site: Site, number: int) -> dict[str, str]:
    """The WAN address a DHCP client holds: dynamic, so in no export, but printed."""
    return {".id": f"*{number:X}", "address": f"{site.last_seen_from}/24", "network": "198.51.100.0",
            "interface": "ether1", "dynamic": "true"}


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
