"""What the router answers: ``print`` rows over the API, and ``/export`` text (compact: defaults left out)."""

from __future__ import annotations

from .router import Entry, Router
from .schema import BY_PATH, EXPORT_ORDER, INTERFACE_MENUS, Menu
from .syntax import quote
from .values import Value, as_export

INTERFACE_VIEW = "/interface"
VIEW_PROPS = ("name", "default-name", "type", "mtu", "mac-address", "running", "disabled", "comment")


def print_rows(router: Router, path: str) -> list[dict[str, Value]] | None:
    """The rows ``print`` answers for a menu path (``/ip address``), typed; None for a menu not modelled."""
    if path == INTERFACE_VIEW:
        return _interface_rows(router)
    menu = BY_PATH.get(path)
    if menu is None:
        return None
    if menu.kind == "single":
        return [_row(router, menu, None)]
    return [{".id": entry.ref, **_row(router, menu, entry)} for entry in router.entries(menu.path)]


def _row(router: Router, menu: Menu, entry: Entry | None) -> dict[str, Value]:
    row: dict[str, Value] = {}
    for name, prop in menu.props.items():
        if prop.write_only:
            continue
        value = router.value(menu, entry, name)
        if value is not None:
            row[name] = value
    if entry is not None:
        for name, value in entry.fixed.items():
            row.setdefault(name, value)
    return row


def _interface_rows(router: Router) -> list[dict[str, Value]]:
    rows = []
    for menu in INTERFACE_MENUS:
        for entry in router.entries(menu.path):
            full = {".id": entry.ref, **_row(router, menu, entry), "type": menu.interface_type}
            rows.append((entry.id, {key: full[key] for key in (".id",) + VIEW_PROPS if key in full}))
    return [row for _id, row in sorted(rows, key=lambda item: item[0])]


def export_sections(router: Router) -> dict[str, list[str]]:
    """Each menu's export lines, in RouterOS's order; menus with nothing to say are left out."""
    sections: dict[str, list[str]] = {}
    for path in EXPORT_ORDER:
        menu = BY_PATH[path]
        lines = _settings_line(router, menu) if menu.kind == "single" else _table_lines(router, menu)
        if lines:
            sections[path] = lines
    return sections


def _changed(router: Router, menu: Menu, entry: Entry | None, values: dict[str, Value]) -> list[str]:
    """``name=value`` for each property that differs from its default, alphabetically, write-only left out."""
    words = []
    for name in sorted(values):
        prop = menu.props[name]
        if prop.write_only or prop.read_only:
            continue
        default = prop.default({**(entry.fixed if entry else {}), **values}) if callable(prop.default) \
            else (entry.fixed.get(name, prop.default) if entry else prop.default)
        if values[name] != default or prop.exported:
            words.append(f"{name}={quote(as_export(values[name]))}")
    return words


def _settings_line(router: Router, menu: Menu) -> list[str]:
    words = _changed(router, menu, None, router.settings[menu.path])
    return ["set " + " ".join(words)] if words else []


def _reference(menu: Menu, entry: Entry) -> str:
    if menu.refer == "default-name":
        return f"[ find default-name={quote(as_export(entry.fixed['default-name']))} ]"
    if menu.refer == "name":
        return quote(as_export(entry.fixed["name"]))
    return "[ find default=yes ]"


def _table_lines(router: Router, menu: Menu) -> list[str]:
    lines = []
    for entry in router.entries(menu.path):
        if entry.fixed.get("dynamic"):
            continue
        words = _changed(router, menu, entry, entry.values)
        if menu.kind == "fixed" or entry.fixed.get("default") or entry.fixed.get("builtin"):
            if words:
                lines.append(f"set {_reference(menu, entry)} " + " ".join(words))
        else:
            lines.append(" ".join(["add"] + words))
    return lines
