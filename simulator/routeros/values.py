"""Property types: what a value may be, how it is stored, printed over the API and written by export."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Callable, Union

from .syntax import ScriptError

Value = Union[str, int, bool]
TRUE, FALSE = ("yes", "true"), ("no", "false")
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_CLOCK = re.compile(r"^(?:(\d+)d)?(\d{1,2}):(\d\d):(\d\d)$")
UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


@dataclass(frozen=True)
class Prop:
    """One property of a menu. ``default`` None: unset until given (not printed); a callable derives it."""

    kind: str = "str"
    default: object = None
    required: bool = False
    read_only: bool = False
    write_only: bool = False
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 2 ** 32 - 1
    refers: str = ""  # a menu whose ``name`` this value must be ("interface", "/interface list", ...)
    exported: bool = False  # export writes it even at its default (a firewall rule's action)
    negatable: bool = False  # a firewall matcher: "!value" matches what value does not
    extra: dict = field(default_factory=dict)

    def parse(self, name: str, raw: str) -> Value:
        """The stored form of ``raw``, or a ScriptError naming the property and what it expected."""
        parser: Callable[[str, str], Value] = getattr(self, "_parse_" + self.kind)
        if self.negatable and raw.startswith("!"):
            return "!" + str(parser(name, raw[1:]))
        return parser(name, raw)

    def _parse_str(self, name: str, raw: str) -> Value:
        del name
        return raw

    def _parse_bool(self, name: str, raw: str) -> Value:
        if raw.lower() in TRUE:
            return True
        if raw.lower() in FALSE:
            return False
        raise ScriptError(f"value of {name} must be yes or no, not {raw!r}")

    def _parse_int(self, name: str, raw: str) -> Value:
        if not re.fullmatch(r"\d+", raw):
            raise ScriptError(f"value of {name} must be a number, not {raw!r}")
        number = int(raw)
        if not self.low <= number <= self.high:
            raise ScriptError(f"value of {name} out of range ({self.low}..{self.high})")
        return number

    def _parse_enum(self, name: str, raw: str) -> Value:
        if raw not in self.choices:
            raise ScriptError(f"input does not match any value of {name} ({', '.join(self.choices)})")
        return raw

    def _parse_ip(self, name: str, raw: str) -> Value:
        try:
            return str(ipaddress.IPv4Address(raw))
        except ValueError as error:
            raise ScriptError(f"value of {name} must be an IPv4 address, not {raw!r}") from error

    def _parse_ips(self, name: str, raw: str) -> Value:
        """Addresses and prefixes, each as the router prints it (IPv6 in lower case, compressed)."""
        return ",".join(str(self._parse_prefix(name, part)) for part in raw.split(",") if part)

    def _parse_prefix(self, name: str, raw: str) -> Value:
        """An address or a prefix. The console keeps a prefix as its network (the manual: "1.1.1.1/24 is converted
        to 1.1.1.0/24"), and a whole-length prefix as the bare address."""
        try:
            network = ipaddress.ip_network(raw, strict=False)
        except ValueError as error:
            raise ScriptError(f"value of {name} must be an address or a prefix, not {raw!r}") from error
        whole = network.prefixlen == network.max_prefixlen
        return str(network.network_address) if whole else str(network)

    def _parse_network(self, name: str, raw: str) -> Value:
        """A route's destination: always a network with its prefix length (``10.0.0.1`` is ``10.0.0.1/32``)."""
        try:
            return str(ipaddress.ip_network(raw, strict=False))
        except ValueError as error:
            raise ScriptError(f"value of {name} must be a prefix, not {raw!r}") from error

    def _parse_mac(self, name: str, raw: str) -> Value:
        """A MAC address, which the router prints in capitals with colons."""
        if not re.fullmatch(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}", raw):
            raise ScriptError(f"value of {name} must be a MAC address, not {raw!r}")
        return raw.upper().replace("-", ":")

    def _parse_size(self, name: str, raw: str) -> Value:
        """A size in KiB, as the manual gives ``cache-size`` (a bare number is KiB), printed with its unit."""
        match = re.fullmatch(r"(\d+)(KiB|MiB|GiB|k|M|G)?", raw)
        if not match:
            raise ScriptError(f"value of {name} must be a size such as 2048, 2048KiB or 4MiB, not {raw!r}")
        kib = int(match[1]) * 1024 ** {None: 0, "KiB": 0, "k": 0, "MiB": 1, "M": 1, "GiB": 2, "G": 2}[match[2]]
        if not self.low <= kib <= self.high:
            raise ScriptError(f"value of {name} out of range ({self.low}..{self.high})")
        return f"{kib}KiB"

    def _parse_interface_address(self, name: str, raw: str) -> Value:
        try:
            interface = ipaddress.IPv4Interface(raw)
        except ValueError as error:
            raise ScriptError(f"value of {name} must be an IPv4 address with a prefix length, not {raw!r}") \
                from error
        return f"{interface.ip}/{interface.network.prefixlen}"

    def _parse_duration(self, name: str, raw: str) -> Value:
        return canonical_duration(name, raw)

    def _parse_port(self, name: str, raw: str) -> Value:
        for part in raw.split(","):
            bounds = part.split("-")
            if not all(re.fullmatch(r"\d+", bound) and int(bound) <= 65535 for bound in bounds) or len(bounds) > 2:
                raise ScriptError(f"value of {name} must be ports (1-65535, ranges and lists), not {raw!r}")
        return raw


def canonical_duration(name: str, raw: str) -> str:
    """A time interval as RouterOS prints it: ``24h`` and ``1d`` and ``1d00:00:00`` are all ``1d``."""
    seconds = None
    match = _DURATION.match(raw)
    if raw and raw.isdigit():
        seconds = int(raw)
    elif match and raw:
        weeks, days, hours, minutes, secs, _millis = (int(part or 0) for part in match.groups())
        seconds = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + secs
    else:
        clock = _CLOCK.match(raw)
        if clock:
            days, hours, minutes, secs = (int(part or 0) for part in clock.groups())
            seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    if seconds is None:
        if raw in ("none", "never"):
            return raw
        raise ScriptError(f"value of {name} must be a time interval such as 30s, 1h or 1d, not {raw!r}")
    return format_duration(seconds)


def format_duration(seconds: int) -> str:
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def as_text(value: Value) -> str:
    """The value as the RouterOS API sends it (every value a string; booleans ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_export(value: Value) -> str:
    """The value as export writes it, before quoting (booleans ``yes``/``no``)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
