# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""From a menu's rows and the task's entries to the changes a state needs, and the menu after them.

Entries are told apart by their identifying keys (the model's, or the task's ``keys``). A menu whose model has none
matches an entry to a row holding every listed value ("content" matching, as api_modify does). A change never names
an ``.id``: it finds its row by the values the router holds for it (``_config_find``), since ids read now can change
before the job runs. Dynamic rows are never planned for: the router made them and cannot change or remove them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ._errors import SDXInputError
from ._config_find import AmbiguousEntry, Find, Rows, select, value_of
from ._config_values import equal, is_dynamic, is_removable, to_data
from ._routeros_model import Menu

__all__ = ["AmbiguousEntry", "Change", "Plan", "STATES", "make_plan"]

STATES = ("merged", "replaced", "overridden", "deleted", "gathered", "rendered", "parsed")


@dataclass
class Change:
    """One command of the script: ``add``, ``set``, ``unset``, ``remove`` or ``move``."""

    kind: str
    find: Optional[Find] = None
    values: dict[str, Any] = field(default_factory=dict)
    destination: Optional[Find] = None


@dataclass
class Plan:
    changes: list[Change]
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]


@dataclass
class _Entry:
    """A row of the menu while the plan is worked out: its values and whether it stays."""

    values: dict[str, Any]
    desired_index: Optional[int] = None
    removed: bool = False


def identity(entry: dict[str, Any], menu: Menu) -> dict[str, Any]:
    """The values that find ``entry`` on the router: its keys, else every value it lists that can be read back."""
    if menu.keys:
        return {key: entry[key] for key in menu.keys}
    return {name: value for name, value in entry.items() if value is not None and not _secret(name, menu)}


def _secret(name: str, menu: Menu) -> bool:
    spec = menu.field(name)
    return bool(spec and spec.write_only)


def matches(desired: dict[str, Any], row: dict[str, Any], menu: Menu) -> bool:
    return all(equal(value, value_of(row, name, menu), menu.field(name), name)
               for name, value in identity(desired, menu).items())


def updates(desired: dict[str, Any], row: dict[str, Any], menu: Menu, state: str,
            update_secrets: str) -> dict[str, Any]:
    """The properties to set on a matched row (``None`` unsets one)."""
    found: dict[str, Any] = {}
    for name, value in desired.items():
        if name in menu.keys:
            continue
        if _secret(name, menu):
            if update_secrets == "always":
                found[name] = value
            continue
        if not equal(value, value_of(row, name, menu), menu.field(name), name):
            found[name] = value
    if state in ("replaced", "overridden"):
        found.update(_resets(desired, row, menu))
    return found


def _resets(desired: dict[str, Any], row: dict[str, Any], menu: Menu) -> dict[str, Any]:
    """Properties the entry does not list that differ from their default: back to it, or unset."""
    found: dict[str, Any] = {}
    for name, spec in menu.fields.items():
        if name in desired or name in menu.keys or not spec.writable or spec.write_only or name not in row:
            continue
        current = row[name]
        if spec.default is not None:
            if not equal(spec.default, current, spec, name):
                found[name] = spec.default
        elif spec.can_disable and not equal(None, current, spec, name):
            found[name] = None
    return found


def make_plan(menu: Menu, state: str, desired: list[dict[str, Any]], rows: list[dict[str, Any]],
              update_secrets: str = "on_create") -> Plan:
    """The changes that bring ``rows`` (typed, one answer) to ``state`` with ``desired``, and before and after."""
    managed = [row for row in rows if not is_dynamic(row)]
    before = [to_data(row, menu) for row in managed]
    if menu.single_value:
        return _single_value(menu, state, desired, managed, update_secrets, before)
    entries = [_Entry(values=dict(row)) for row in managed]
    guard = Rows.of(rows, [row for row in rows if is_dynamic(row)])
    changes: list[Change] = []
    if state == "deleted":
        changes = _delete(menu, desired, entries, guard)
    else:
        changes = _merge(menu, state, desired, entries, update_secrets, guard)
        if state == "overridden":
            changes += _remove_unlisted(menu, entries, guard)
            if menu.ordered:
                changes += _order(menu, entries, guard)
    after = [to_data(entry.values, menu) for entry in entries if not entry.removed]
    return Plan(changes=changes, before=before, after=after)


def _merge(menu: Menu, state: str, desired: list[dict[str, Any]], entries: list[_Entry], update_secrets: str,
           guard: Rows) -> list[Change]:
    changes: list[Change] = []
    for index, wanted in enumerate(desired):
        candidates = [entry for entry in entries if entry.desired_index is None and not entry.removed
                      and matches(wanted, entry.values, menu)]
        if not candidates:
            if menu.keys and any(matches(wanted, row, menu) for row in guard.dynamic):
                # An add would clash with it, and a set or remove cannot touch it.
                raise SDXInputError(
                    f"data[{index}]: the entry {identity(wanted, menu)} of menu {menu.path!r} is dynamic or built in "
                    f"(the router made it, for example a DHCP address), so it cannot be added, set or removed")
            if menu.fixed_entries:
                raise SDXInputError(
                    f"data[{index}]: menu {menu.path!r} holds only the entries the router has (they cannot be added "
                    f"or removed), and none of them is {identity(wanted, menu)}")
            values = {name: value for name, value in wanted.items() if value is not None}
            entries.append(_Entry(values=values, desired_index=index))
            changes.append(Change("add", values=values))
            continue
        # The row needing the fewest changes, then holding the fewest values not listed: of two rules holding the
        # listed values, the one holding nothing else, which leaves the other for an entry that lists more.
        entry = min(candidates, key=lambda entry: (len(updates(wanted, entry.values, menu, state, update_secrets)),
                                                   len(set(to_data(entry.values, menu)) - set(wanted))))
        entry.desired_index = index
        found = updates(wanted, entry.values, menu, state, update_secrets)
        if found:
            changes.append(Change("set", find=_select(entry, entries, menu, guard), values=found))
            _apply(entry.values, found)
    return changes


def _select(entry: _Entry, entries: list[_Entry], menu: Menu, guard: Rows) -> Find:
    """The find for ``entry`` among the rows that stay at this point of the script."""
    others = [other.values for other in entries if other is not entry and not other.removed]
    return select(entry.values, others, menu, guard)


def _apply(values: dict[str, Any], found: dict[str, Any]) -> None:
    for name, value in found.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value


def _remove_unlisted(menu: Menu, entries: list[_Entry], guard: Rows) -> list[Change]:
    changes = []
    for entry in entries:
        if entry.desired_index is None and not entry.removed and is_removable(entry.values):
            changes.append(Change("remove", find=_select(entry, entries, menu, guard)))
            entry.removed = True
    return changes


def _delete(menu: Menu, desired: list[dict[str, Any]], entries: list[_Entry], guard: Rows) -> list[Change]:
    """Removes of the listed entries (every row holding an entry's values, in a menu without keys), else of all."""
    doomed = [entry for entry in entries if is_removable(entry.values)
              and (not desired or any(matches(wanted, entry.values, menu) for wanted in desired))]
    changes = []
    for entry in doomed:
        if entry.removed:
            continue
        # Rows holding the same values (twins in a menu without keys) go with one remove.
        twins = [other for other in doomed if not other.removed and to_data(other.values, menu)
                 == to_data(entry.values, menu)]
        others = [other.values for other in entries if not other.removed and other not in twins]
        changes.append(Change("remove", find=select(entry.values, others, menu, guard)))
        for twin in twins:
            twin.removed = True
    return changes


def _order(menu: Menu, entries: list[_Entry], guard: Rows) -> list[Change]:
    """The fewest moves that put the listed entries in the listed order.

    The entries already in order, up to the last listed one, stay (the longest increasing run ending there); every
    other entry goes just before its successor, the highest first, so that each successor is already in place.
    """
    sequence = [entry for entry in entries if not entry.removed]
    listed = [entry.desired_index for entry in sequence if entry.desired_index is not None]
    if len(listed) < 2:
        return []
    by_index = {entry.desired_index: entry for entry in sequence if entry.desired_index is not None}
    last = max(by_index)
    staying = _in_order(listed, last)
    changes = []
    for index in range(last - 1, -1, -1):
        if index in staying:
            continue
        changes.append(Change("move", find=_select(by_index[index], sequence, menu, guard),
                              destination=_select(by_index[index + 1], sequence, menu, guard)))
    others = [entry for entry in sequence if entry.desired_index is None]
    ordered = sorted((entry for entry in sequence if entry.desired_index is not None),
                     key=lambda entry: entry.desired_index)
    entries[:] = others + ordered + [entry for entry in entries if entry.removed]
    return changes


def _in_order(listed: list[int], last: int) -> set[int]:
    """The longest increasing run of ``listed`` (desired positions in the menu's order) that ends with ``last``."""
    end = listed.index(last)
    length, previous = [1] * (end + 1), [-1] * (end + 1)
    for at in range(end + 1):
        for before in range(at):
            if listed[before] < listed[at] and length[before] + 1 > length[at]:
                length[at], previous[at] = length[before] + 1, before
    staying, at = set(), end
    while at != -1:
        staying.add(listed[at])
        at = previous[at]
    return staying


def _single_value(menu: Menu, state: str, desired: list[dict[str, Any]], rows: list[dict[str, Any]],
                  update_secrets: str, before: list[dict[str, Any]]) -> Plan:
    values = dict(rows[0]) if rows else {}
    wanted = desired[0] if desired else {}
    found = updates(wanted, values, menu, "replaced" if state == "overridden" else state, update_secrets)
    _apply(values, found)
    changes = [Change("set", values=found)] if found else []
    return Plan(changes=changes, before=before, after=[to_data(values, menu)] if rows or found else [])
