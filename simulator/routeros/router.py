"""One router's configuration: the entries of each table, the settings of each single menu, and their ids.

Ids are ``*1``, ``*2``... in hex, per menu (one counter for all menus of interfaces, as /interface shows them
all), and never reused. An entry stores what was set; defaults and read-only values are derived when read.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .schema import BY_PATH, INTERFACE_MENUS, NOT_CONFIGURATION, Menu
from .syntax import ScriptError
from .values import Value

REFERENCES = {"interface": tuple(menu.path for menu in INTERFACE_MENUS), "bridge": ("/interface bridge",),
              "wg": ("/interface wireguard",)}


@dataclass
class Entry:
    id: int
    values: dict[str, Value]
    fixed: dict[str, Value] = field(default_factory=dict)  # read-only values of this entry (dynamic, default...)

    @property
    def ref(self) -> str:
        return f"*{self.id:X}"

    def flag(self, name: str) -> bool:
        return bool(self.fixed.get(name) or self.values.get(name))


class Router:
    """The state of the menus of ``schema`` on one router."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Entry]] = {menu.path: [] for menu in BY_PATH.values() if menu.kind != "single"}
        self.settings: dict[str, dict[str, Value]] = {
            menu.path: {} for menu in BY_PATH.values() if menu.kind == "single"}
        self._next: dict[str, int] = {}
        self.backups: dict[str, tuple] = {}  # /system backup save: file name -> (configuration, password)
        self.rebooting = False  # a script ran /system reboot or /system backup load: the router goes down

    # -- the whole configuration (binary backups) -----------------------------------------------------------
    def configuration(self) -> tuple:
        """A copy of everything but the files, as a binary backup holds it."""
        tables = {path: entries for path, entries in self.tables.items() if path not in NOT_CONFIGURATION}
        counters = {key: value for key, value in self._next.items() if key not in NOT_CONFIGURATION}
        return copy.deepcopy((tables, self.settings, counters))

    def restore(self, configuration: tuple) -> None:
        tables, settings, counters = copy.deepcopy(configuration)
        self.tables.update(tables)
        self.settings = settings
        self._next.update(counters)

    # -- ids -----------------------------------------------------------------------------------------
    def _counter(self, menu: Menu) -> str:
        return "interface" if menu.interface_type else menu.path

    def new_id(self, menu: Menu) -> int:
        key = self._counter(menu)
        self._next[key] = self._next.get(key, 0) + 1
        return self._next[key]

    # -- reading -------------------------------------------------------------------------------------
    def entries(self, path: str) -> list[Entry]:
        return self.tables[path]

    def value(self, menu: Menu, entry: Entry | None, name: str) -> Value | None:
        """A property's value as the router holds it: set, fixed, or the default (derived when callable)."""
        values = self.settings[menu.path] if entry is None else entry.values
        if name in values:
            return values[name]
        if entry is not None and name in entry.fixed:
            return entry.fixed[name]
        default = menu.props[name].default
        if callable(default):
            return default({**(entry.fixed if entry else {}), **values})
        return default

    def names(self, refers: str) -> set[str]:
        paths = REFERENCES.get(refers, (refers,))
        return {str(entry.values.get("name", entry.fixed.get("name"))) for path in paths
                for entry in self.tables.get(path, [])}

    # -- changing ------------------------------------------------------------------------------------
    def check(self, menu: Menu, values: dict[str, Value], entry: Entry | None = None) -> None:
        """Required properties given, references resolve, and no other entry has the same unique keys."""
        merged = {**(entry.values if entry else {}), **values}
        for name, prop in menu.props.items():
            if prop.required and name not in merged and not (entry and name in entry.fixed):
                raise ScriptError(f"failure: {name} not specified")
            # "!ether1" in a firewall rule: any interface but ether1; the name must still exist
            if prop.refers and name in values and str(values[name]).removeprefix("!") not in self.names(prop.refers):
                raise ScriptError(f"input does not match any value of {name}: {values[name]}")
        for keys, message in menu.unique:
            if not all(key in merged for key in keys):
                continue
            for other in self.tables.get(menu.path, []):
                if other is entry:
                    continue
                if all(self.value(menu, other, key) == merged[key] for key in keys):
                    raise ScriptError(message)
        if menu.interface_type and "name" in values:
            taken = self.names("interface") - ({str(self.value(menu, entry, "name"))} if entry else set())
            if str(values["name"]) in taken:
                raise ScriptError("failure: already have interface with such name")

    def add(self, menu: Menu, values: dict[str, Value], place_before: Entry | None = None) -> Entry:
        self.check(menu, values)
        entry = Entry(self.new_id(menu), dict(values))
        table = self.tables[menu.path]
        table.insert(table.index(place_before) if place_before in table else len(table), entry)
        return entry

    def set(self, menu: Menu, entry: Entry | None, values: dict[str, Value]) -> None:
        if entry is None:
            self.settings[menu.path].update(values)
            return
        if entry.fixed.get("dynamic"):
            raise ScriptError("failure: can not change dynamic entry")
        self.check(menu, values, entry)
        old_name = entry.values.get("name", entry.fixed.get("name"))
        entry.values.update(values)
        if menu.interface_type and "name" in values and old_name != values["name"]:
            self._rename_interface(str(old_name), str(values["name"]))

    def _rename_interface(self, old: str, new: str) -> None:
        """References follow a renamed interface, as RouterOS keeps them by id."""
        for path, entries in self.tables.items():
            menu = BY_PATH[path]
            for entry in entries:
                for name, prop in menu.props.items():
                    if prop.refers in REFERENCES and entry.values.get(name) == old:
                        entry.values[name] = new

    def unset(self, menu: Menu, entry: Entry | None, names: list[str]) -> None:
        values = self.settings[menu.path] if entry is None else entry.values
        for name in names:
            if menu.props[name].required:
                raise ScriptError(f"failure: {name} can not be unset")
            values.pop(name, None)

    def remove(self, menu: Menu, entry: Entry) -> None:
        if menu.kind == "fixed":
            raise ScriptError("failure: can not remove a built-in entry")
        if entry.fixed.get("dynamic"):
            raise ScriptError("failure: can not remove dynamic entry")
        if (entry.fixed.get("default") or entry.fixed.get("builtin")) and not menu.removable_defaults:
            raise ScriptError("failure: can not remove default entry")
        self.tables[menu.path].remove(entry)

    def move(self, menu: Menu, moving: list[Entry], destination: Entry | None) -> None:
        """Put ``moving`` (in table order) before ``destination``, or at the end without one."""
        table = self.tables[menu.path]
        if destination in moving:
            return
        kept = [entry for entry in table if entry not in moving]
        block = [entry for entry in table if entry in moving]
        at = kept.index(destination) if destination is not None else len(kept)
        table[:] = kept[:at] + block + kept[at:]
