# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Drift of a fleet from a desired state: the desired menus checked, each site's result (from sdx_config in check
mode, or from its newest backup), and the report grouped by the commands the sites need."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, Optional

from ansible_collections.altostrat.sdx.plugins.module_utils._config_input import check_data, export_rows
from ansible_collections.altostrat.sdx.plugins.module_utils._config_plan import identity, make_plan, matches
from ansible_collections.altostrat.sdx.plugins.module_utils._config_render import script
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._routeros_model import load_menu
from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout import printable

# The sdx_config states that describe a desired state; gathered, rendered and parsed describe none.
STATES = ("merged", "replaced", "overridden", "deleted")
STATUSES = ("compliant", "drifted", "no_backup", "error")
SOURCES = ("live", "backup")
MENU_KEYS = ("path", "data", "state", "keys")


def desired_menus(menus: Any, path: Any = None, data: Any = None, state: Any = None, keys: Any = None,
                  routeros_version: Any = None) -> list[dict[str, Any]]:
    """The desired state as a list of menus ``{path, data, state, keys}``, each checked against the data model.

    Either ``menus`` (``drift_menus``, a list) or one menu by ``path``/``data``/``state``/``keys``. Raises
    SDXInputError naming the variable and the entry, before any request.
    """
    if menus not in (None, "") and path not in (None, ""):
        raise SDXInputError("drift_menus and drift_path: give the desired state one way, not both")
    if menus in (None, ""):
        if path in (None, ""):
            raise SDXInputError("drift_path: expected a RouterOS menu such as 'ip dns' (or drift_menus, a list of "
                                "{path, data, state})")
        menus, name = [{"path": path, "data": data, "state": state or "merged", "keys": keys}], "drift"
    else:
        name = "drift_menus"
    if not isinstance(menus, list) or not menus:
        raise SDXInputError(f"drift_menus: expected a non-empty list of {{path, data, state}}, got {menus!r:.80}")
    return [_checked(f"{name}[{index}]" if name == "drift_menus" else "drift", item, routeros_version)
            for index, item in enumerate(menus)]


def _checked(name: str, item: Any, routeros_version: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise SDXInputError(f"{name}: expected a dict with path, data and state, got {item!r:.80}")
    unknown = sorted(set(item) - set(MENU_KEYS))
    if unknown:
        raise SDXInputError(f"{name}: unknown key(s) {', '.join(map(str, unknown))}; a menu has {', '.join(MENU_KEYS)}")
    state = item.get("state") or "merged"
    if state not in STATES:
        raise SDXInputError(f"{name}.state: expected one of {', '.join(STATES)}, got {state!r}")
    if not isinstance(item.get("path"), str) or not item["path"].strip():
        raise SDXInputError(f"{name}.path: expected a RouterOS menu such as 'ip dns', got {item.get('path')!r}")
    keys = item.get("keys") or None
    if keys is not None and (not isinstance(keys, list) or not all(isinstance(key, str) for key in keys)):
        raise SDXInputError(f"{name}.keys: expected a list of property names, got {keys!r:.80}")
    try:
        menu = load_menu(item["path"], _text(routeros_version), keys)
        check_data(menu, state, item.get("data"))
    except SDXInputError as error:
        raise SDXInputError(f"{name}: {error}") from None
    return {"path": menu.path, "data": item.get("data"), "state": state, "keys": keys}


def _text(value: Any) -> Optional[str]:
    return None if value in (None, "") else str(value)


def _result(host: str, site_id: Any, status: str, message: str, menus: Optional[list] = None,
            backup: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    menus = menus or []
    return {"site": host, "site_id": site_id, "status": status, "message": message, "menus": menus,
            "commands": [line for menu in menus for line in menu["commands"]], "backup": backup}


def _status_of(menus: list[dict[str, Any]], source: str) -> tuple[str, str]:
    needed = sum(len(menu["commands"]) for menu in menus)
    if needed:
        return "drifted", f"needs {needed} command(s) in {sum(1 for menu in menus if menu['commands'])} menu(s)"
    return "compliant", "holds the desired state" + (" (by its newest backup)" if source == "backup" else "")


def site_from_live(host: str, site_id: Any, checks: Any, error: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """A site's result from the loop of sdx_config in check mode over the desired menus (registered), or its error."""
    if error:
        failed = [item for item in error.get("results") or [] if isinstance(item, Mapping) and item.get("failed")]
        message = (failed[0] if failed else error).get("msg") or "failed"
        return _result(host, site_id, "error", str(message))
    menus = [{"path": result["item"]["path"], "state": result["item"]["state"],
              "commands": list(result.get("commands") or [])} for result in (checks or {}).get("results") or []]
    status, message = _status_of(menus, "live")
    return _result(host, site_id, status, message, menus)


def site_from_backup(host: str, site_id: Any, latest: Mapping[str, Any], desired: list[Mapping[str, Any]],
                     routeros_version: Any = None) -> dict[str, Any]:
    """A site's result from its newest backup (an altostrat.sdx.sdx_latest_backups_info result) against ``desired``.

    The export is read as sdx_config's state=parsed reads it, and planned as a live check plans a read menu.
    """
    backup = (latest.get("backups") or {}).get(site_id)
    if not isinstance(backup, Mapping):
        missing = (latest.get("missing") or {}).get(site_id) or {}
        return _result(host, site_id, "no_backup", str(missing.get("message") or "SDX returned no backup"))
    facts = {name: backup.get(name) for name in ("filename", "created_at", "age_seconds")}
    menus = []
    try:
        for item in desired:
            menu = load_menu(item["path"], _text(routeros_version), item.get("keys"))
            wanted = check_data(menu, item["state"], item.get("data"))
            plan = make_plan(menu, item["state"], wanted, _backup_rows(menu, wanted, str(backup.get("content") or "")))
            menus.append({"path": menu.path, "state": item["state"],
                          "commands": script(menu, plan.changes, mask=True)})
    except SDXInputError as error:
        return _result(host, site_id, "error", f"backup {facts['filename']}: {error}", backup=facts)
    status, message = _status_of(menus, "backup")
    return _result(host, site_id, status, message, menus, facts)


def _backup_rows(menu: Any, wanted: list[dict[str, Any]], content: str) -> list[dict[str, Any]]:
    """The menu's rows in an export. An export leaves out the entries of a fixed menu (ip service, interface
    ethernet) that hold only their defaults, so a desired entry it does not name is taken to be at its defaults."""
    rows = export_rows(menu, content)
    if menu.fixed_entries:
        rows += [identity(entry, menu) for entry in wanted if not any(matches(entry, row, menu) for row in rows)]
    return rows


def age_text(seconds: Any) -> str:
    """``3d 4h``, ``2h 5m``, ``40s``: how old a backup is, to the two largest units."""
    if not isinstance(seconds, (int, float)):
        return "age unknown"
    left, parts = max(0, int(seconds)), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size or (unit == "s" and not parts):
            parts.append(f"{left // size}{unit}")
            left %= size
    return " ".join(parts[:2])


def build_report(hostvars: Mapping[str, Any], hosts: Iterable[str], source: str,
                 desired: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The report over the ``hosts`` that recorded ``sdx_drift_result``: counts, groups by commands, one row a site."""
    rows = []
    for host in hosts:
        result = (hostvars.get(host) or {}).get("sdx_drift_result")
        if isinstance(result, Mapping):
            rows.append({key: printable(value) for key, value in result.items()})
    counts = Counter(row["status"] for row in rows)
    ages = [row["backup"]["age_seconds"] for row in rows
            if row.get("backup") and isinstance(row["backup"].get("age_seconds"), (int, float))]
    return {
        "source": source,
        "desired": [{"path": item["path"], "state": item["state"]} for item in desired],
        "total": len(rows),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "compliant": counts.get("compliant", 0) == len(rows),
        "groups": groups(rows),
        "backup_age": {"oldest_seconds": max(ages), "newest_seconds": min(ages)} if ages else None,
        "sites": sorted(rows, key=lambda row: str(row["site"])),
    }


def groups(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The drifted sites grouped by the exact commands they need, largest group first."""
    found: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        if row["status"] == "drifted":
            found.setdefault(tuple(row["commands"]), []).append(str(row["site"]))
    result = [{"commands": list(commands), "sites": sorted(sites)} for commands, sites in found.items()]
    return sorted(result, key=lambda group: (-len(group["sites"]), group["sites"][0]))
