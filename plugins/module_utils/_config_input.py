# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""What sdx_config takes: ``data`` checked against the menu before any request, and ``/export`` text read back.

Every problem names the entry (``data[2]``) and the property, and says what was expected.
"""

from __future__ import annotations

from typing import Any, Optional

from ._config_render import PROPERTY_NAME
from ._config_values import as_stored, equal, to_data, typed
from ._errors import SDXInputError
from ._routeros_model import Menu
from ._secrets import unwrap

_SCALARS = (str, int, float, bool)


def check_data(menu: Menu, state: str, data: Optional[list[Any]]) -> list[dict[str, Any]]:
    """``data`` as entries of the menu; SDXInputError naming the entry and property for anything else."""
    if state in ("merged", "replaced", "overridden", "rendered") and data is None:
        raise SDXInputError(f"data: state={state} needs data, a list of entries of menu {menu.path!r}")
    entries = [_check_entry(menu, state, index, entry) for index, entry in enumerate(data or [])]
    if state == "deleted":
        for index, entry in enumerate(entries):
            unset = [name for name, value in entry.items() if value is None]
            if unset:
                # A find cannot say "not set": the entry would match rows that hold a value there too.
                raise SDXInputError(f"data[{index}].{unset[0]}: null cannot choose entries to delete; leave the "
                                    f"property out, or name the entry by values it holds")
    if menu.single_value:
        if len(entries) > 1:
            raise SDXInputError(f"data: menu {menu.path!r} holds a single value, so data takes at most one entry, "
                                f"got {len(entries)}")
        if state == "deleted":
            raise SDXInputError(f"state: menu {menu.path!r} holds a single value and has no entries to delete; use "
                                f"state=replaced with the values wanted")
    elif state == "overridden" and not menu.keys and not menu.ordered:
        raise SDXInputError(f"state: overridden needs entries the model can tell apart or order, and menu "
                            f"{menu.path!r} has neither identifying keys nor an order; give keys")
    elif state in ("overridden", "deleted") and menu.fixed_entries:
        raise SDXInputError(f"state: the entries of menu {menu.path!r} are fixed by the router and cannot be added or "
                            f"removed, so state={state} cannot apply; use state=merged or replaced to set them")
    _check_duplicates(menu, entries)
    return entries


def _check_entry(menu: Menu, state: str, index: int, entry: Any) -> dict[str, Any]:
    where = f"data[{index}]"
    if not isinstance(entry, dict):
        raise SDXInputError(f"{where}: expected a dict of RouterOS property names to values, got "
                            f"{type(entry).__name__}")
    checked: dict[str, Any] = {}
    for name, value in entry.items():
        if name == ".id":
            raise SDXInputError(f"{where}: .id is not accepted; entries are found by their identifying keys "
                                f"({', '.join(menu.keys) or 'their values'}), since ids change")
        if not isinstance(name, str) or not PROPERTY_NAME.fullmatch(name) or name.startswith("!"):
            raise SDXInputError(f"{where}: {name!r} is not a RouterOS property name (lower-case words joined by -)")
        spec = menu.field(name)
        if menu.fields and spec is None:
            raise SDXInputError(f"{where}.{name}: menu {menu.path!r} has no property {name!r}; it has "
                                f"{', '.join(sorted(menu.fields))}")
        if spec is not None and not spec.writable:
            raise SDXInputError(f"{where}.{name}: is read-only in menu {menu.path!r} (the router computes it)")
        if value is not None and not isinstance(value, _SCALARS):
            hint = " (write a list as one comma-separated string, as RouterOS does)" if isinstance(value, list) else ""
            raise SDXInputError(f"{where}.{name}: expected a string, number or boolean, got "
                                f"{type(value).__name__}{hint}")
        if (value is None or value == "") and name in menu.keys:
            raise SDXInputError(f"{where}.{name}: an identifying key cannot be {'null' if value is None else 'empty'}")
        if value is None and spec is not None and not spec.can_disable:
            # RouterOS would refuse the unset, or keep the value: the task could never converge.
            default = f"; give its default ({spec.default!r}) instead" if spec.default is not None else ""
            raise SDXInputError(f"{where}.{name}: null unsets a property, and {name!r} of menu {menu.path!r} "
                                f"cannot be unset{default}")
        checked[name] = as_stored(menu, name, value)
    if state == "deleted" and not checked:
        raise SDXInputError(f"{where}: an empty entry would match every entry; leave data out to delete all")
    if not menu.single_value:
        missing = [key for key in menu.keys if key not in checked]
        missing += [key for key in menu.order_keys if key not in checked and state != "deleted"]
        if missing:
            raise SDXInputError(f"{where}: misses {', '.join(missing)}, which "
                                f"{'identifies' if len(missing) == 1 else 'identify'} an entry of menu {menu.path!r}")
    return checked


def _check_duplicates(menu: Menu, entries: list[dict[str, Any]]) -> None:
    if menu.single_value:
        return
    for index, entry in enumerate(entries):
        for earlier in range(index):
            other = entries[earlier]
            names = menu.keys or tuple(set(entry) | set(other))
            if all(equal(entry.get(name), other.get(name), menu.field(name), name) for name in names):
                raise SDXInputError(f"data[{index}]: is the same entry as data[{earlier}] "
                                    f"({'same ' + ', '.join(menu.keys) if menu.keys else 'same values'})")


def parse_export(menu: Menu, text: str) -> list[dict[str, Any]]:
    """The entries of ``menu`` in the text of a RouterOS ``/export``, in the data format (read-only values, such as
    ``network`` of ``ip address``, and flags left out, as state=gathered leaves them out)."""
    return [to_data(row, menu) for row in export_rows(menu, text)]


def export_rows(menu: Menu, text: str) -> list[dict[str, Any]]:
    """The rows of ``menu`` in the text of a RouterOS ``/export``, as a ``print`` would type them (flags such as
    ``default`` of an entry the export finds with ``[ find default=yes ]`` kept)."""
    # Imported here: only state=parsed needs the parser.
    from ansible_collections.community.routeros.plugins.module_utils.quoting import (  # pylint: disable=import-outside-toplevel
        ParseError, parse_argument_value, split_routeros_command)

    entries: list[dict[str, Any]] = []
    section = None
    for number, line in enumerate(unwrap(text).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("/"):
            # Only the menu path is split: the values after it keep their slashes and their spaces.
            head, _space, tail = line[1:].partition(" ")
            words = head.replace("/", " ").split() + tail.split(" ")
            verbs = [at for at, word in enumerate(words) if "=" in word or word in ("add", "set") or word == "["]
            section = " ".join(word for word in (words[:verbs[0]] if verbs else words) if word)
            line = " ".join(words[verbs[0]:]) if verbs else ""
            if not line:
                continue
        if section != menu.path:
            continue
        verb, _space, rest = line.partition(" ")
        if verb not in ("add", "set"):
            continue
        find, rest = _split_find(rest)
        try:
            # "set telnet disabled=yes": an entry the export names by itself (ip service)
            named, rest = _split_name(rest, parse_argument_value) if verb == "set" and not find else ({}, rest)
            found = split_routeros_command(find) if find.strip() else []
            words = split_routeros_command(rest) if rest.strip() else []
        except ParseError as error:
            raise SDXInputError(f"running_config: line {number} of menu {menu.path!r} cannot be read: {error}") \
                from None
        values = {**_assignments([word for word in found if "=" in word]), **named, **_assignments(words)}
        entry = {name: typed(value, menu.field(name), name) for name, value in values.items()}
        if menu.single_value and entries:
            entries[0].update(entry)
        else:
            entries.append(entry)
    return entries


def _split_find(rest: str) -> tuple[str, str]:
    """``[ find default-name="ether 1" ]`` at the start of a ``set``: the text inside the brackets, and what follows."""
    stripped = rest.lstrip()
    if not stripped.startswith("["):
        return "", rest
    return _bracket(stripped)


def _split_name(rest: str, parse: Any) -> tuple[dict[str, str], str]:
    """The entry's name when ``set`` gives it before the values (``telnet``, ``"www ssl"``), and what follows."""
    stripped = rest.lstrip()
    head = stripped.split(" ", 1)[0]
    if not stripped or "=" in head and not head.startswith('"'):
        return {}, rest
    name, end = parse(stripped, 0, must_match_everything=False)
    return {"name": name}, stripped[end:]


def _bracket(text: str) -> tuple[str, str]:
    """The text inside the ``[`` that starts ``text`` up to its ``]`` (one inside quotes does not end it)."""
    quoted = escaped = False
    for at, char in enumerate(text[1:], start=1):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "]" and not quoted:
            return text[1:at], text[at + 1:]
    return text[1:], ""


def _assignments(words: list[str]) -> dict[str, str]:
    found = {}
    for word in words:
        name, _equals, value = word.partition("=")
        if name:
            found[name] = value
    return found
