# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""RouterOS values for sdx_config: rows of either answer shape made one, and values compared as the router means them.

The synchronous endpoint answers typed rows (``.id``, hyphenated keys, JSON booleans and numbers) or all-string rows
with underscored keys. Both become one typed row here. Two values are equal when the router means the same thing by
them: ``yes`` and ``true``, ``1d`` and ``24h``, ``2048KiB`` and ``2MiB`` (and ``2048`` where the unit is KiB),
MAC addresses in either case, IPv6 addresses however they are written, and lists whose order does not matter.
A false ``changed`` is the bug users of declarative modules report most.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from ._routeros_model import Field, Menu
from ._secrets import is_secret_name

# Flags the router adds to rows; they are not properties one sets (``disabled`` is, and the model lists it).
FLAGS = frozenset({"dynamic", "invalid", "default", "builtin", "running", "inactive", "active", "static"})
# Properties holding comma-separated sets: the router may answer them in any order.
UNORDERED_LISTS = frozenset({
    # firewall matchers that hold a set of flags
    "connection-state", "connection-nat-state", "tcp-flags", "ipv4-options", "src-address-type",
    "dst-address-type", "hotspot",
    # sets of names, networks or algorithms
    "policy", "protocols", "protocol-list", "address-list", "allowed-interface-list", "interfaces", "include",
    "exclude", "allowed-address", "addresses", "tagged", "untagged", "vlan-ids", "authentication-types",
    "unicast-ciphers", "group-ciphers", "ciphers", "auth-algorithms", "enc-algorithms", "advertise",
    "key-usage", "discover-interface-list-members",
})
# Properties of free text, where "1d" and "24h" are two different words.
FREE_TEXT = frozenset({"comment", "name", "log-prefix", "default-name", "description", "on-event", "source",
                       "content", "text", "regexp"})
_TRUE = frozenset({"yes", "true"})
_FALSE = frozenset({"no", "false"})
_WHOLE_NUMBER = re.compile(r"-?[1-9][0-9]*|0")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(w|d|h|ms|us|m|s)")
_DURATION_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": Decimal("0.001"), "us": Decimal("0.000001")}
_CLOCK = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)(KiB|MiB|GiB|TiB|k|K|M|G|T)")
_SIZE_UNITS = {"k": 1, "K": 1, "KiB": 1, "M": 2, "MiB": 2, "G": 3, "GiB": 3, "T": 4, "TiB": 4}
# A size whose default carries one of these units takes a bare number in that unit (``cache-size=2048`` is 2048KiB).
_DEFAULT_SIZE = re.compile(r"\d+(KiB|MiB|GiB|TiB)")
_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")


def property_name(key: str) -> str:
    """A row's key as the data format writes it: the all-string shape's ``mac_address`` is ``mac-address``."""
    if key in ("_id", ".id"):
        return ".id"
    return key if key.startswith(".") else key.replace("_", "-")


def typed(value: Any, field: Optional[Field], name: str = "") -> Any:
    """A value read as text (all-string rows, an export) typed as the typed answer shape has it: booleans and
    whole numbers, except in free text, where ``true`` and ``123`` are words."""
    if not isinstance(value, str) or name in FREE_TEXT:
        return value
    lowered = value.lower()
    default = field.default if field else None
    if lowered in _TRUE | _FALSE and (default is None or isinstance(default, bool)):
        return lowered in _TRUE
    if _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    return value


def normalise_row(raw: dict[str, Any], menu: Menu) -> dict[str, Any]:
    """One answered row in the typed shape: hyphenated keys, booleans and numbers where the model types them."""
    row: dict[str, Any] = {}
    for key, value in raw.items():
        name = property_name(str(key))
        row[name] = typed(value, menu.field(name), name) if name != ".id" else value
    return row


def is_dynamic(row: dict[str, Any]) -> bool:
    """An entry the router made itself (a DHCP address, a connected route): it cannot be set or removed."""
    return row.get("dynamic") is True or row.get("builtin") is True


def is_removable(row: dict[str, Any]) -> bool:
    return not is_dynamic(row) and row.get("default") is not True


def text(value: Any) -> str:
    """The text RouterOS takes for ``value``: ``yes``/``no`` for booleans, digits for numbers."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def equal(wanted: Any, current: Any, field: Optional[Field], name: str = "") -> bool:
    """Whether the router means the same by ``wanted`` and ``current`` (``None`` is unset)."""
    if wanted is None or current is None:
        return _unset(wanted, field) and _unset(current, field)
    if isinstance(wanted, bool) or isinstance(current, bool) or isinstance(field and field.default, bool):
        left, right = _boolean(wanted), _boolean(current)
        if left is not None and right is not None:
            return left == right
    left, right = text(wanted), text(current)
    if left == right:
        return True
    name = name or (field.name if field else "")
    if name in FREE_TEXT:
        return False
    left_items, right_items = items(left, name), items(right, name)
    if left_items == right_items:
        return True
    if name in UNORDERED_LISTS:
        return sorted(left_items) == sorted(right_items)
    unit = size_unit(field)
    for measure in (duration, lambda value: size(value, unit)):
        left_amount, right_amount = measure(left), measure(right)
        if left_amount is not None and right_amount is not None:
            return left_amount == right_amount
    return False


def items(value: str, name: str = "") -> list[str]:
    """A comma-separated value's items as the router prints them: MAC addresses in capitals, IPv6 addresses in
    lower case and compressed (``2001:DB8:0::1`` is ``2001:db8::1``), a whole-length prefix as the bare address.
    Only a value whose every item is an address is read so: text that holds one among other words is text."""
    parts = value.split(",")
    canonical = [_address(part, name) for part in parts]
    return parts if None in canonical else [part for part in canonical if part is not None]


def _address(item: str, name: str) -> Optional[str]:
    """``item`` as the router prints the address it is, or None when it is not an address."""
    negated = item.startswith("!")
    body = item[1:] if negated else item
    if "mac" in name and _MAC.fullmatch(body):
        body = body.upper().replace("-", ":")
    elif "." in body or ":" in body:
        try:
            address = ipaddress.ip_interface(body)
        except ValueError:
            return None
        whole = address.network.prefixlen == address.max_prefixlen
        body = str(address.ip) if whole else str(address)
    else:
        return None
    return ("!" if negated else "") + body


# Properties whose prefixes the router stores as the network (``1.1.1.1/24`` is kept as ``1.1.1.0/24``, as the
# RouterOS manual says of the firewall's addresses), and whether it prints a whole-length prefix as a bare address.
_NETWORKS = {
    **{(f"{family} firewall {table}", name): True for family in ("ip", "ipv6")
       for table in ("filter", "nat", "mangle", "raw") for name in ("src-address", "dst-address")},
    ("ip firewall address-list", "address"): True, ("ipv6 firewall address-list", "address"): True,
    ("ip route", "dst-address"): False, ("ipv6 route", "dst-address"): False,
}
# Properties that hold an interface's own address: the host part stays, and a bare IPv4 address is a /32.
_HOST_ADDRESSES = frozenset({("ip address", "address")})


def as_stored(menu: Menu, name: str, value: Any) -> Any:
    """A value of the task as the router will store and print it, so that what the plan predicts and the finds it
    renders are what the router holds: prefixes of matchers and routes as networks, ``ip address`` with its prefix
    length, MAC and IPv6 addresses spelled as the router prints them, bare sizes with their unit."""
    field = menu.field(name)
    unit = size_unit(field)
    if unit and isinstance(value, (int, str)) and not isinstance(value, bool):
        amount = size(str(value), unit)
        count = amount / 1024 ** _SIZE_UNITS[unit] if amount is not None else None
        if count is not None and count == count.to_integral_value():
            return f"{int(count)}{unit}"  # 4096 and 4MiB are printed 4096KiB
    if not isinstance(value, str) or name in FREE_TEXT or not value or field is not None and field.write_only \
            or is_secret_name(name, menu.path):
        return value  # text, and secrets, are sent exactly as written
    return ",".join(_stored_item(menu.path, name, item) for item in items(value, name))


def _stored_item(path: str, name: str, item: str) -> str:
    negated, body = item.startswith("!"), item.lstrip("!")
    try:
        if (path, name) in _HOST_ADDRESSES and "/" not in body:
            body = str(ipaddress.IPv4Interface(body))
        elif (path, name) in _NETWORKS and body and (body[0].isdigit() or ":" in body) and "-" not in body:
            network = ipaddress.ip_network(body, strict=False)
            bare = _NETWORKS[(path, name)] and network.prefixlen == network.max_prefixlen
            body = str(network.network_address) if bare else str(network)
    except ValueError:
        return item  # not an address (an address list may hold a DNS name): the router says what it thinks
    return ("!" if negated else "") + body


def size_unit(field: Optional[Field]) -> str:
    """The unit a bare number of this property is in: the unit of its default (``2048KiB``), else bytes."""
    match = _DEFAULT_SIZE.fullmatch(str(field.default)) if field is not None and field.default is not None else None
    return match.group(1) if match else ""


def _unset(value: Any, field: Optional[Field]) -> bool:
    """Whether ``value`` means the property is not set. A property the model lets one unset and gives no default
    (``hw-offload`` of a firewall rule) is printed as ``false`` or empty by the router when it is not set."""
    if value is None:
        return True
    if field is None:
        return False
    if field.remove_value is not None:
        return text(value) == text(field.remove_value)
    return field.can_disable and field.default is None and text(value) in ("", "no", "false")


def _boolean(value: Any) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    lowered = str(value).lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def duration(value: str) -> Optional[Decimal]:
    """Seconds in a RouterOS duration (``1w2d``, ``24h``, ``1d00:00:00``, ``500ms``); None when it is not one.

    A bare number is a duration only beside one that has units: it is then seconds, as RouterOS reads it.
    """
    match = _CLOCK.fullmatch(value)
    if match:
        weeks, days, hours, minutes, seconds = match.groups()
        return (Decimal(weeks or 0) * 604800 + Decimal(days or 0) * 86400 + Decimal(hours) * 3600
                + Decimal(minutes) * 60 + Decimal(seconds))
    if re.fullmatch(r"\d+", value):
        return Decimal(value)
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(amount + unit for amount, unit in parts) != value:
        return None
    return sum((Decimal(amount) * _DURATION_UNITS[unit] for amount, unit in parts), Decimal(0))


def size(value: str, unit: str = "") -> Optional[Decimal]:
    """Bytes in a RouterOS size (``2048KiB``, ``2M``); a bare number is in ``unit``, else bytes. None when it is
    not one."""
    if re.fullmatch(r"\d+", value):
        return Decimal(value) * (1024 ** _SIZE_UNITS[unit] if unit else 1)
    match = _SIZE.fullmatch(value)
    if not match:
        return None
    try:
        return Decimal(match.group(1)) * (1024 ** _SIZE_UNITS[match.group(2)])
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def to_data(row: dict[str, Any], menu: Menu) -> dict[str, Any]:
    """An entry in the data format of ``data``: what one would write to make it, and nothing else.

    Left out: ``.id``, flags, read-only and computed properties, properties the model does not know, and values
    equal to their default (an unset property included). Write-only properties are never in a row.
    """
    entry: dict[str, Any] = {}
    for name, value in row.items():
        if name.startswith(".") or name in FLAGS and not menu.field(name):
            continue
        field = menu.field(name)
        if menu.fields and (field is None or not field.writable or field.write_only):
            continue
        if name not in menu.keys and field is not None and _is_default(value, field):
            continue
        entry[name] = value
    return entry


def _is_default(value: Any, field: Field) -> bool:
    if _unset(value, field):
        return True
    return field.default is not None and equal(field.default, value, field)
