"""Canned answers for the synchronous RouterOS command endpoint."""

from __future__ import annotations

from .fleet import Site


def run_command(site: Site, command: str) -> list[dict]:
    """Answer like RouterOS over the API: a list of records with string values."""
    path = command.strip().rstrip("/")
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
