# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The ``[find where ...]`` that picks one row of a menu when the script runs, built from what the router holds.

A change never names an ``.id`` (ids read now can change before the job runs), so each ``set``, ``remove`` and
``move`` finds its row by values. Those are the values the router printed for the row, never the task's spelling
of them (``related,established`` is found as the router stores it). When another row also holds them, terms that
tell the two apart are added: the row's own value of a property the other row sets differently, or
``property!=value`` when the row does not set it at all. Dynamic rows are never meant: ``dynamic=no`` is added
wherever a dynamic row could match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._config_values import equal, to_data
from ._errors import SDXInputError
from ._routeros_model import Menu


class AmbiguousEntry(SDXInputError):
    """A change would find more than the one row it means: the menu's entries need identifying keys."""


@dataclass
class Find:
    """``[find where name=value ... name!=value ... dynamic=no]``."""

    equals: dict[str, Any]
    differs: dict[str, Any] = field(default_factory=dict)
    static_only: bool = False


def value_of(values: dict[str, Any], name: str, menu: Menu) -> Any:
    """A property's value in a row, its default when the row leaves it out."""
    if name in values:
        return values[name]
    spec = menu.field(name)
    return spec.default if spec else None


def holds(find: Find, values: dict[str, Any], menu: Menu) -> bool:
    """Whether a row holding ``values`` is one that ``find`` finds (dynamic rows aside)."""
    return (all(equal(value, value_of(values, name, menu), menu.field(name), name)
                for name, value in find.equals.items())
            and not any(equal(value, value_of(values, name, menu), menu.field(name), name)
                        for name, value in find.differs.items()))


@dataclass
class Rows:
    """The rows a find must not hit: ``dynamic`` are those the router made; ``flagged`` when rows show the flag."""

    dynamic: list[dict[str, Any]]
    flagged: bool

    @classmethod
    def of(cls, rows: list[dict[str, Any]], dynamic: list[dict[str, Any]]) -> "Rows":
        return cls(dynamic=dynamic, flagged=any("dynamic" in row for row in rows))


def select(target: dict[str, Any], others: list[dict[str, Any]], menu: Menu, rows: Rows) -> Find:
    """The find for the row holding ``target`` (as the router holds it), which none of ``others`` satisfies."""
    if menu.keys:
        find = Find({key: value_of(target, key, menu) for key in menu.keys})
    else:
        find = Find(to_data(target, menu))
    for other in others:
        if holds(find, other, menu):
            _tell_apart(find, target, other, menu)
    find.static_only = rows.flagged and (not menu.keys or any(holds(find, row, menu) for row in rows.dynamic))
    return find


def _tell_apart(find: Find, target: dict[str, Any], other: dict[str, Any], menu: Menu) -> None:
    """Adds to ``find`` a term that ``target`` satisfies and ``other`` does not; AmbiguousEntry when none exists."""
    for name, value in to_data(target, menu).items():
        if name not in find.equals and not equal(value, value_of(other, name, menu), menu.field(name), name):
            find.equals[name] = value
            return
    for name, value in to_data(other, menu).items():
        if equal(value, value_of(target, name, menu), menu.field(name), name):
            continue
        if target.get(name) is not None:
            find.equals[name] = target[name]
        else:
            find.differs[name] = value
        return
    raise AmbiguousEntry(
        f"data: in menu {menu.path!r} the entry {to_data(target, menu)} cannot be told apart from another entry "
        f"holding the same values{'' if menu.keys else ', and the model of this menu has no identifying keys'}; "
        f"give keys (for example keys: [comment]) with a unique value per entry")
