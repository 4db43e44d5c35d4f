# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The RouterOS data model of community.routeros, behind one adapter: the only file that touches its private data.

community.routeros keeps, for 400+ menus, which properties identify an entry, their defaults, which are read-only
or write-only, which menus are ordered (stratified by chain) and which hold a single value. Its data module is
private to it and may change in any release, so this file reads it defensively, turns it into plain ``Menu`` and
``Field`` values, and fails naming the version it needs when the format is not the one understood here.
"""

from __future__ import annotations

import re

import traceback
from dataclasses import dataclass
from typing import Any, Optional

from ._errors import SDXInputError

# The range of community.routeros whose data format this adapter was tested with (galaxy.yml pins the same).
SUPPORTED_RANGE = ">=3.14.0,<4.0.0"
TESTED_VERSION = "3.14.0"
# The RouterOS version whose properties are used when the task does not say (the newest the tested data knows).
DEFAULT_ROUTEROS_VERSION = "7.20"

ROUTEROS_IMPORT_ERROR: Optional[str] = None
try:
    from ansible_collections.community.routeros.plugins.module_utils import _api_data
except ImportError:
    _api_data = None  # type: ignore[assignment]
    ROUTEROS_IMPORT_ERROR = traceback.format_exc()
    HAS_ROUTEROS = False
else:
    HAS_ROUTEROS = True

_NEEDED = f"community.routeros {SUPPORTED_RANGE} (tested with {TESTED_VERSION})"
_MENU_ATTRIBUTES = ("primary_keys", "stratify_keys", "single_value", "has_identifier", "unknown_mechanism",
                    "fully_understood", "fixed_entries", "fields")
_FIELD_ATTRIBUTES = ("default", "can_disable", "remove_value", "read_only", "write_only",
                     "automatically_computed_from", "required")


class ModelError(SDXInputError):
    """The data model cannot serve the task: missing collection, unknown format, unknown menu."""


@dataclass(frozen=True)
class Field:
    """One property of a menu, as the model describes it."""

    name: str
    default: Any = None
    can_disable: bool = False
    remove_value: Any = None
    read_only: bool = False
    write_only: bool = False
    computed: bool = False
    required: bool = False

    @property
    def writable(self) -> bool:
        return not self.read_only and not self.computed


@dataclass(frozen=True)
class Menu:
    """What the module needs to know of one RouterOS menu."""

    path: str
    fields: dict[str, Field]
    keys: tuple[str, ...] = ()
    order_keys: tuple[str, ...] = ()
    single_value: bool = False
    fixed_entries: bool = False

    @property
    def ordered(self) -> bool:
        """Whether the entries' order matters (firewall chains): the model stratifies the menu by chain."""
        return bool(self.order_keys)

    @property
    def cli_path(self) -> str:
        return "/" + self.path

    @property
    def api_path(self) -> str:
        return "/" + self.path.replace(" ", "/")

    def field(self, name: str) -> Optional[Field]:
        return self.fields.get(name)


def _require_data() -> Any:
    if not HAS_ROUTEROS:
        raise ModelError(f"altostrat.sdx.sdx_config needs the collection {_NEEDED} for its RouterOS data model, and "
                         f"it could not be imported: install it with "
                         f"ansible-galaxy collection install 'community.routeros:{SUPPORTED_RANGE}'")
    paths = getattr(_api_data, "PATHS", None)
    if not isinstance(paths, dict) or not all(hasattr(_api_data, name) for name in ("APIData", "split_path")):
        raise _format_error("it has no PATHS table of APIData")
    return paths


def _format_error(what: str) -> ModelError:
    return ModelError(f"the installed community.routeros keeps its RouterOS data model in a format this collection "
                      f"does not understand ({what}); {_NEEDED} is needed")


def known_paths() -> list[str]:
    """Every menu the model lists, space separated as api_modify writes them."""
    return sorted(" ".join(path) for path in _require_data())


_MENU_WORD = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def normalise_path(path: str) -> str:
    """``path`` as the model spells it: words separated by one space, whatever the task used (``/ip/address``)."""
    words = [word for word in path.replace("/", " ").split() if word]
    bad = [word for word in words if not _MENU_WORD.match(word)]
    if bad or not words:
        # The path goes into the script and the read command as it is: only menu words can go there.
        raise ModelError(f"path: expected RouterOS menu words (lower-case letters, digits and '-', separated by "
                         f"spaces or '/'), got {path!r}")
    return " ".join(words)


def load_menu(path: str, routeros_version: Optional[str] = None, keys: Optional[list[str]] = None) -> Menu:
    """The menu ``path`` for RouterOS ``routeros_version``; ModelError when the model cannot serve it.

    ``keys`` are identifying properties the task gives itself: they replace the model's, and let a menu the model
    does not know be used with the properties the task names (nothing is then known of defaults or secrets).
    """
    paths = _require_data()
    name = normalise_path(path)
    version = routeros_version or DEFAULT_ROUTEROS_VERSION
    entry = paths.get(tuple(name.split()))
    if entry is None:
        if keys:
            return Menu(path=name, fields={}, keys=tuple(keys))
        raise ModelError(f"path: the RouterOS data model of community.routeros does not know the menu {name!r}; "
                         f"give the properties that identify an entry with keys, or use a menu it knows")
    data = _specialise(entry, name, version)
    menu = _menu_from(data, name)
    if keys:
        unknown = [key for key in keys if key not in menu.fields]
        if unknown:
            raise ModelError(f"keys: {', '.join(map(repr, unknown))} is not a property of menu {name!r}; it has "
                             f"{', '.join(sorted(menu.fields))}")
        menu = Menu(path=menu.path, fields=menu.fields, keys=tuple(keys), order_keys=menu.order_keys,
                    single_value=menu.single_value, fixed_entries=menu.fixed_entries)
    return menu


def _specialise(entry: Any, name: str, version: str) -> Any:
    try:
        understood, message = entry.provide_version(version)
        data = entry.get_data() if understood else None
    except (AttributeError, TypeError) as error:
        raise _format_error(f"{type(error).__name__}: {error}") from None
    except ValueError:
        data, message = None, None
    if data is None:
        why = f": {message}" if message else ""
        raise ModelError(f"path: the data model of community.routeros does not fully describe menu {name!r} for "
                         f"RouterOS {version}{why}; set routeros_version to the router's version, or use a menu "
                         f"it describes")
    return data


def _menu_from(data: Any, name: str) -> Menu:
    missing = [attribute for attribute in _MENU_ATTRIBUTES if not hasattr(data, attribute)]
    if missing or not isinstance(data.fields, dict):
        raise _format_error(f"menu {name!r} lacks {', '.join(missing) or 'a fields table'}")
    if data.unknown_mechanism or data.has_identifier or not data.fully_understood:
        raise ModelError(f"path: community.routeros marks menu {name!r} as one whose entries it cannot manage "
                         f"(no way to tell them apart); it cannot be configured declaratively")
    return Menu(path=name, fields={key: _field_from(key, info) for key, info in data.fields.items()},
                keys=tuple(data.primary_keys or ()), order_keys=tuple(data.stratify_keys or ()),
                single_value=bool(data.single_value), fixed_entries=bool(data.fixed_entries))


def _field_from(name: str, info: Any) -> Field:
    missing = [attribute for attribute in _FIELD_ATTRIBUTES if not hasattr(info, attribute)]
    if missing:
        raise _format_error(f"property {name!r} lacks {', '.join(missing)}")
    return Field(name=name, default=info.default, can_disable=bool(info.can_disable), remove_value=info.remove_value,
                 read_only=bool(info.read_only), write_only=bool(info.write_only),
                 computed=info.automatically_computed_from is not None, required=bool(info.required))
