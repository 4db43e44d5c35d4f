# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""A plan's changes as one RouterOS script, every value quoted so that it stays a literal value on the router.

``set``, ``unset``, ``remove`` and ``move`` find their row with ``[find where <keys>]``, never by an ``.id`` read
earlier. Values are escaped with community.routeros's public quoting helper, and put in double quotes whenever
they hold anything but plain word characters, so ``"``, ``\\``, ``$``, ``[``, ``]``, ``;``, a line break or any
Unicode cannot end the value or start a command.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ._config_find import Find
from ._config_plan import Change
from ._config_values import text
from ._errors import SDXInputError
from ._routeros_model import Menu

QUOTING_IMPORT_ERROR: Optional[str] = None
try:
    from ansible_collections.community.routeros.plugins.module_utils.quoting import quote_routeros_argument_value
except ImportError:
    import traceback

    QUOTING_IMPORT_ERROR = traceback.format_exc()
    quote_routeros_argument_value = None  # type: ignore[assignment]

MASK = "********"
# A value RouterOS reads as one plain word: anything else is quoted.
_PLAIN = re.compile(r"!?[A-Za-z0-9._:/,+@*%-]+")
PROPERTY_NAME = re.compile(r"!?[a-z0-9][a-z0-9.-]*")


def quote(value: Any) -> str:
    """``value`` as a RouterOS CLI argument value: escaped, and double-quoted unless it is one plain word.

    Spaces stay spaces inside the quotes (the helper would write ``\\_``, which RouterOS reads the same).
    """
    escaped = " ".join(_escaped(piece) for piece in text(value).split(" "))
    if _PLAIN.fullmatch(escaped):
        return escaped
    return f'"{escaped}"'


def written_forms(value: Any) -> set[str]:
    """How ``value`` is written in a script line (quoted), and in a script quoted once more as a value (the
    ``on-event`` of a scheduler that runs the line): a secret value must be masked in each form."""
    once = quote(value)
    return {text(value), _unquoted(once), _unquoted(quote(once))}


def _unquoted(written: str) -> str:
    return written[1:-1] if written.startswith('"') else written


def _escaped(piece: str) -> str:
    """A piece of a value without spaces, escaped by the helper, without the quotes it puts around an escaped value
    (its output starts with a quote only then: a quote in the value itself is escaped)."""
    escaped = quote_routeros_argument_value(piece)
    if len(escaped) >= 2 and escaped.startswith('"') and escaped.endswith('"'):
        return escaped[1:-1]
    return escaped


def _assignments(values: dict[str, Any], secrets: frozenset[str], mask: bool) -> list[str]:
    return [f"{name}={MASK if mask and name in secrets else quote(value)}" for name, value in values.items()]


def _where(find: Optional[Find]) -> str:
    find = find or Find({})
    missing = [name for name, value in find.equals.items() if value is None]
    if missing:
        raise SDXInputError(f"keys: an entry of the router holds no {missing[0]}, so it cannot be found by its keys "
                            f"({', '.join(find.equals)}); choose keys that every entry of the menu holds")
    terms = [f"{name}={quote(value)}" for name, value in find.equals.items()]
    terms += [f"{name}!={quote(value)}" for name, value in find.differs.items()]
    terms += ["dynamic=no"] if find.static_only else []
    return f"[find where {' '.join(terms)}]" if terms else "[find]"


def command(menu: Menu, change: Change, mask: bool = False) -> list[str]:
    """The lines of one change; ``mask`` shows write-only values as ``********`` (for results and diffs)."""
    secrets = frozenset(name for name, spec in menu.fields.items() if spec.write_only)
    prefix = menu.cli_path
    if change.kind == "add":
        return [" ".join([prefix, "add", *_assignments(change.values, secrets, mask)])]
    if change.kind == "remove":
        return [f"{prefix} remove {_where(change.find)}"]
    if change.kind == "move":
        return [f"{prefix} move {_where(change.find)} destination={_where(change.destination)}"]
    target = [] if menu.single_value else [_where(change.find)]
    sets = {name: value for name, value in change.values.items() if value is not None}
    unsets = [name for name, value in change.values.items() if value is None]
    lines = []
    if sets:
        lines.append(" ".join([prefix, "set", *target, *_assignments(sets, secrets, mask)]))
    for name in unsets:
        spec = menu.field(name)
        if spec is not None and spec.remove_value is not None:
            lines.append(" ".join([prefix, "set", *target, f"{name}={quote(spec.remove_value)}"]))
        else:
            lines.append(" ".join([prefix, "unset", *target, f"value-name={name}"]))
    return lines


def script(menu: Menu, changes: list[Change], mask: bool = False) -> list[str]:
    """Every line of the change, in order."""
    return [line for change in changes for line in command(menu, change, mask)]
