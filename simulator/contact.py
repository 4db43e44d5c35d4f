"""Whether a router can still reach SDX: the management contact, judged from its configuration.

SDX's documentation says the router checks in (heartbeat and job poll) and that synchronous commands go
through a management tunnel, not what the tunnel is made of. The simulator's stand-in: the router's own
connection from ether1 to the SDX endpoint ``SDX_ENDPOINT`` on TCP port 443. It is cut when
ether1 is disabled; when the route to the endpoint (most specific, then lowest distance) is missing or goes
elsewhere than the WAN gateway DHCP gave; or when the firewall (``raw`` prerouting/output, ``filter``
input/output, in order, following ``jump``) drops or rejects its packets. A rule matches the tunnel's packets
only when every matcher it has does (protocol, ports, addresses, address lists, interfaces, interface lists,
connection state; ``!`` negates); a rule with any other matcher is taken as not matching.
"""

from __future__ import annotations

import ipaddress

from .routeros.router import Entry, Router
from .routeros.schema import BY_PATH
from .routeros.seed import WAN_GATEWAY

SDX_ENDPOINT = "192.0.2.200"
PORT = "443"
WAN = "ether1"
PASS, BLOCK = "accept", "block"
BLOCKING = ("drop", "reject", "tarpit")
NOT_MATCHERS = {"chain", "action", "comment", "disabled", "log", "log-prefix", "jump-target", "reject-with",
                "hw-offload", "to-addresses", "to-ports", "new-connection-mark", "new-packet-mark",
                "new-routing-mark", "new-mss", "passthrough", "bytes", "packets", "dynamic", "invalid"}


def cut_reason(router: Router) -> str | None:
    """None while the router can reach SDX; otherwise what cut it off."""
    wan = next((entry for entry in router.entries("/interface ethernet") if entry.fixed["default-name"] == WAN), None)
    if wan is None or router.value(BY_PATH["/interface ethernet"], wan, "disabled"):
        return "the WAN interface ether1 is disabled"
    name = str(router.value(BY_PATH["/interface ethernet"], wan, "name"))
    if not _routed(router, name):
        return f"no route to SDX ({SDX_ENDPOINT}) through the WAN gateway"
    for table, chain, packet in (("raw", "prerouting", _incoming(name)), ("raw", "output", _outgoing(name, "")),
                                 ("filter", "input", _incoming(name)),
                                 ("filter", "output", _outgoing(name, "new")),
                                 ("filter", "output", _outgoing(name, "established"))):
        if _verdict(router, table, chain, packet, depth=0) == BLOCK:
            return f"the firewall ({table} {chain}) drops the management tunnel"
    return None


def _incoming(interface: str) -> dict:
    return {"src-address": SDX_ENDPOINT, "src-port": PORT, "dst-port": "", "in-interface": interface,
            "connection-state": "established"}


def _outgoing(interface: str, state: str) -> dict:
    return {"dst-address": SDX_ENDPOINT, "dst-port": PORT, "src-port": "", "out-interface": interface,
            "connection-state": state}


def _routed(router: Router, wan: str) -> bool:
    menu = BY_PATH["/ip route"]
    endpoint = ipaddress.ip_address(SDX_ENDPOINT)
    routes = []
    for entry in router.entries(menu.path):
        if router.value(menu, entry, "disabled") or router.value(menu, entry, "routing-table") != "main":
            continue
        network = ipaddress.ip_network(str(router.value(menu, entry, "dst-address")), strict=False)
        if endpoint in network:  # most specific, then lowest distance, then a static route before a dynamic one
            routes.append((-network.prefixlen, int(router.value(menu, entry, "distance")),
                           bool(entry.fixed.get("dynamic")), entry))
    if not routes:
        return False
    best = min(routes, key=lambda item: item[:3])[3]
    if router.value(menu, best, "blackhole"):
        return False
    return str(router.value(menu, best, "gateway") or "") in (WAN_GATEWAY, wan)


def _verdict(router: Router, table: str, chain: str, packet: dict, depth: int) -> str | None:
    menu = BY_PATH[f"/ip firewall {table}"]
    for entry in router.entries(menu.path):
        if router.value(menu, entry, "disabled") or router.value(menu, entry, "chain") != chain:
            continue
        if not _matches(router, menu, entry, packet):
            continue
        action = str(router.value(menu, entry, "action"))
        if action in BLOCKING:
            return BLOCK
        if action in ("accept", "fasttrack-connection", "notrack"):
            return PASS
        if action == "return":
            return None
        if action == "jump" and depth < 8:
            verdict = _verdict(router, table, str(router.value(menu, entry, "jump-target")), packet, depth + 1)
            if verdict is not None:
                return verdict
    return None if depth else PASS


def _matches(router: Router, menu, entry: Entry, packet: dict) -> bool:
    for name, value in entry.values.items():
        if name in NOT_MATCHERS:
            continue
        text = str(value)
        negate = text.startswith("!")
        text = text.removeprefix("!")
        matched = _condition(router, name, text, packet)
        if matched is None or matched == negate:
            return False
    return True


def _condition(router: Router, name: str, text: str, packet: dict) -> bool | None:
    """Whether the packet meets ``name=text``; None for a matcher the model does not judge."""
    if name == "protocol":
        return text in ("tcp", "6")
    if name in ("src-port", "dst-port"):
        return bool(packet.get(name)) and any(_in_range(packet[name], part) for part in text.split(","))
    if name in ("src-address", "dst-address"):
        return bool(packet.get(name)) and ipaddress.ip_address(packet[name]) in ipaddress.ip_network(text, strict=False)
    if name in ("src-address-list", "dst-address-list"):
        address = packet.get(name.removesuffix("-list"))
        return bool(address) and _listed(router, text, address)
    if name in ("in-interface", "out-interface"):
        return packet.get(name) == text
    if name in ("in-interface-list", "out-interface-list"):
        interface = packet.get(name.removesuffix("-list"))
        return bool(interface) and _member(router, text, interface)
    if name == "connection-state":
        return bool(packet[name]) and packet[name] in text.split(",")
    return None


def _in_range(port: str, part: str) -> bool:
    bounds = part.split("-")
    return int(bounds[0]) <= int(port) <= int(bounds[-1])


def _listed(router: Router, name: str, address: str) -> bool:
    menu = BY_PATH["/ip firewall address-list"]
    for entry in router.entries(menu.path):
        if router.value(menu, entry, "list") == name and not router.value(menu, entry, "disabled"):
            try:
                if ipaddress.ip_address(address) in ipaddress.ip_network(str(entry.values["address"]), strict=False):
                    return True
            except ValueError:
                continue
    return False


def _member(router: Router, name: str, interface: str) -> bool:
    if name == "all":
        return True
    if name in ("none", "dynamic"):
        return False
    if name == "static":
        return True
    menu = BY_PATH["/interface list member"]
    return any(router.value(menu, entry, "list") == name and router.value(menu, entry, "interface") == interface
               and not router.value(menu, entry, "disabled") for entry in router.entries(menu.path))
