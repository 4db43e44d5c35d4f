# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The revert of an sdx_config change, computed exactly from the menu as it was read before the change.

The revert is the plan that brings the menu as the change leaves it back to the menu as it was: the state
``overridden`` with the entries read before as its data. Each ``add`` becomes a ``remove``, each ``set`` a ``set``
of the old values (or an ``unset``), each ``remove`` an ``add`` of the old entry, and ordered menus get the ``move``
lines that restore the order. Like the change, it finds rows by their values (``[find where ...]``), never by
``.id``. What the router never returns (write-only properties) cannot be put back, so a change that would need it
is refused before any request.
"""

from __future__ import annotations

import json
from typing import Any

from ._config_plan import AmbiguousEntry, Change, Plan, make_plan
from ._config_render import script
from ._errors import SDXInputError
from ._routeros_model import Menu


def _write_only(menu: Menu) -> frozenset[str]:
    return frozenset(name for name, spec in menu.fields.items() if spec.write_only)


def _check_restorable(menu: Menu, plan: Plan) -> None:
    """Refuse a change whose revert would need a value the router never returns."""
    secrets = _write_only(menu)
    if not secrets:
        return
    for change in plan.changes:
        if change.kind == "remove":
            raise SDXInputError(
                f"confirm_timeout: the change removes an entry of {menu.path!r} ({change.find}), and its revert "
                f"cannot add it back as it was: its write-only properties ({', '.join(sorted(secrets))}) are never "
                f"returned by the router. Apply this change without confirm_timeout")
        touched = secrets.intersection(change.values) if change.kind == "set" else frozenset()
        if touched:
            raise SDXInputError(
                f"confirm_timeout: the change sets {', '.join(sorted(touched))} of an existing entry of "
                f"{menu.path!r}, and its revert cannot set the old value back: the router never returns it. Apply "
                f"this change without confirm_timeout, or with update_secrets=on_create")


def revert_changes(menu: Menu, plan: Plan) -> list[Change]:
    """The changes that undo ``plan``: from its ``after`` back to its ``before``."""
    _check_restorable(menu, plan)
    try:
        undo = make_plan(menu, "overridden", [dict(entry) for entry in plan.before],
                         [dict(entry) for entry in plan.after])
    except AmbiguousEntry as error:
        raise SDXInputError(f"confirm_timeout: the revert cannot find the entries it would restore: {error}") from None
    return undo.changes


def revert_lines(menu: Menu, plan: Plan) -> list[str]:
    """The revert as script lines (the on-event of the scheduler the change job arms)."""
    return script(menu, revert_changes(menu, plan))


def same_entries(menu: Menu, left: list[dict[str, Any]], right: list[dict[str, Any]]) -> bool:
    """Whether two reads of the menu (in the data format) hold the same entries; in order where order matters."""
    if menu.ordered:
        return left == right
    return sorted(map(_key, left)) == sorted(map(_key, right))


def _key(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, default=str)
