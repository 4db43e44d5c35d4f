# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""From a menu's rows and the task's entries to the changes a state needs, and the menu after them.

Entries are told apart by their identifying keys (the model's, or the task's ``keys``). A menu whose model has none
matches an entry to a row holding every listed value ("content" matching, as api_modify does). A change never names
an ``.id``: it finds its row by the values that identify it, since ids read now can change before the job runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ._errors import SDXInputError
from ._config_values import equal, is_dynamic, is_removable, to_data
from ._routeros_model import Menu

STATES = ("merged", "replaced", "overridden", "deleted", "gathered", "rendered", "parsed")


@dataclass
class Change:
    """One command of the script: ``add``, ``set``, ``unset``, ``remove`` or ``move``."""

    kind: str
    find: Optional[dict[str, Any]] = None
    values: dict[str, Any] = field(default_factory=dict)
    destination: Optional[dict[str, Any]] = None


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


def value_of(values: dict[str, Any], name: str, menu: Menu) -> Any:
    """A property's value in a row, its default when the row leaves it out."""
    if name in values:
        return values[name]
    spec = menu.field(name)
    return spec.default if spec else None


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
    changes: list[Change] = []
    if state == "deleted":
        changes = _delete(menu, desired, entries)
    else:
        changes = _merge(menu, state, desired, entries, update_secrets)
        if state == "overridden":
            changes += _remove_unlisted(menu, entries)
            if menu.ordered:
                changes += _order(menu, desired, entries)
    after = [to_data(entry.values, menu) for entry in entries if not entry.removed]
    return Plan(changes=changes, before=before, after=after)


def _merge(menu: Menu, state: str, desired: list[dict[str, Any]], entries: list[_Entry],
           update_secrets: str) -> list[Change]:
    changes: list[Change] = []
    for index, wanted in enumerate(desired):
        entry = next((entry for entry in entries if entry.desired_index is None and not entry.removed
                      and matches(wanted, entry.values, menu)), None)
        if entry is None:
            values = {name: value for name, value in wanted.items() if value is not None}
            entries.append(_Entry(values=values, desired_index=index))
            changes.append(Change("add", values=values))
            continue
        entry.desired_index = index
        found = updates(wanted, entry.values, menu, state, update_secrets)
        if found:
            find = _find_of(entry, menu) if menu.keys else identity(wanted, menu)
            changes.append(Change("set", find=_unique(find, entries, menu), values=found))
            _apply(entry.values, found)
    return changes


class AmbiguousEntry(SDXInputError):
    """A change would find more than the one row it means: the menu's entries need identifying keys."""


def _unique(find: dict[str, Any], entries: list[_Entry], menu: Menu) -> dict[str, Any]:
    """``find``, once sure it finds exactly one of the rows that stay (else the script would touch others)."""
    found = [entry for entry in entries if not entry.removed
             and all(equal(value, value_of(entry.values, name, menu), menu.field(name), name)
                     for name, value in find.items())]
    if len(found) > 1:
        raise AmbiguousEntry(
            f"data: in menu {menu.path!r} the entry {find} cannot be told apart from {len(found) - 1} other "
            f"entr{'y' if len(found) == 2 else 'ies'} holding the same values, and the model of this menu has no "
            f"identifying keys; give keys (for example keys: [comment]) with a unique value per entry")
    return find


def _apply(values: dict[str, Any], found: dict[str, Any]) -> None:
    for name, value in found.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value


def _remove_unlisted(menu: Menu, entries: list[_Entry]) -> list[Change]:
    changes = []
    for entry in entries:
        if entry.desired_index is None and not entry.removed and is_removable(entry.values):
            changes.append(Change("remove", find=_unique(_find_of(entry, menu), entries, menu)))
            entry.removed = True
    return changes


def _find_of(entry: _Entry, menu: Menu) -> dict[str, Any]:
    """The values that find an existing row: its keys, else every property it holds that one can write."""
    if menu.keys:
        return {key: value_of(entry.values, key, menu) for key in menu.keys}
    return to_data(entry.values, menu)


def _delete(menu: Menu, desired: list[dict[str, Any]], entries: list[_Entry]) -> list[Change]:
    """Removes of the listed entries (every row holding an entry's values, in a menu without keys), else of all."""
    if desired and not menu.keys:
        return _delete_by_content(menu, desired, entries)
    changes = []
    for entry in entries:
        if entry.removed or not is_removable(entry.values):
            continue
        if desired and not any(matches(wanted, entry.values, menu) for wanted in desired):
            continue
        changes.append(Change("remove", find=_unique(_find_of(entry, menu), entries, menu)))
        entry.removed = True
    return changes


def _delete_by_content(menu: Menu, desired: list[dict[str, Any]], entries: list[_Entry]) -> list[Change]:
    changes = []
    for wanted in desired:
        found = [entry for entry in entries if not entry.removed and is_removable(entry.values)
                 and matches(wanted, entry.values, menu)]
        if found:
            changes.append(Change("remove", find=identity(wanted, menu)))
        for entry in found:
            entry.removed = True
    return changes


def _order(menu: Menu, desired: list[dict[str, Any]], entries: list[_Entry]) -> list[Change]:
    """The fewest moves that put the listed entries in the listed order.

    The entries already in order, up to the last listed one, stay (the longest increasing run ending there); every
    other entry goes just before its successor, the highest first, so that each successor is already in place.
    """
    sequence = [entry for entry in entries if not entry.removed]
    listed = [entry.desired_index for entry in sequence if entry.desired_index is not None]
    if len(listed) < 2:
        return []
    staying = _in_order(listed, len(desired) - 1)
    changes = []
    for index in range(len(desired) - 2, -1, -1):
        if index in staying:
            continue
        changes.append(Change("move", find=_unique(identity(desired[index], menu), sequence, menu),
                              destination=_unique(identity(desired[index + 1], menu), sequence, menu)))
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
