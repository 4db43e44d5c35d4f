"""The menus the simulator models, from the RouterOS manual's page of each (properties, defaults, kinds).

A menu is a ``table`` (entries added and removed, each with an ``.id``), ``single`` (one set of settings,
``set`` only, printed as one row without ``.id``) or ``fixed`` (entries the router has, ``set`` only).
``ordered`` tables keep the order rules are evaluated in (``move`` changes it). ``unique`` lists the keys two
entries may not share, with RouterOS's message. ``refer`` is how export names a default or fixed entry.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from .values import Prop

BOOL_NO, BOOL_YES = Prop("bool", False), Prop("bool", True)
TEXT = Prop()
COMMENT = {"comment": TEXT}
COMMON = {"comment": TEXT, "disabled": BOOL_NO}


def _network(values: dict) -> str:
    return str(ipaddress.IPv4Interface(values["address"]).network.network_address)


def _same_as(name: str):
    return lambda values: values.get(name, "")


def texts(*names: str) -> dict[str, Prop]:
    """Properties the simulator keeps as given text, unset by default (no check beyond RouterOS quoting)."""
    return {name: TEXT for name in names}


def req(kind: str = "str", **extra) -> Prop:
    return Prop(kind, required=True, **extra)


def ro(default: object) -> Prop:
    return Prop("str" if not isinstance(default, bool) else "bool", default, read_only=True)


def enum(default: str | None, *choices: str, exported: bool = False) -> Prop:
    return Prop("enum", default, choices=choices, exported=exported)


@dataclass(frozen=True)
class Menu:
    path: str
    props: dict[str, Prop]
    kind: str = "table"
    ordered: bool = False
    unique: tuple[tuple[tuple[str, ...], str], ...] = ()
    flags: tuple[str, ...] = ("disabled",)
    interface_type: str = ""  # a menu of interfaces: its entries are in /interface, sharing its ids
    refer: str = "default"  # how export names a default entry: [ find default=yes ] / default-name= / name
    removable_defaults: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def api_path(self) -> str:
        return "/" + self.path.strip("/").replace(" ", "/")


def _named(message: str = "failure: already have interface with such name") -> tuple:
    return ((("name",), message),)


INTERFACE = {"name": req(), "mtu": Prop("int", 1500, low=0, high=65535), "comment": TEXT, "disabled": BOOL_NO,
             "running": ro(True), "arp": enum("enabled", "enabled", "disabled", "proxy-arp", "reply-only")}
FIREWALL = {
    "chain": req(), "action": Prop(),
    "src-address": Prop("prefix", negatable=True), "dst-address": Prop("prefix", negatable=True), "protocol": TEXT,
    "src-port": Prop("port", negatable=True), "dst-port": Prop("port", negatable=True),
    "in-interface": Prop(refers="interface"), "out-interface": Prop(refers="interface"),
    "in-interface-list": Prop(refers="/interface list"), "out-interface-list": Prop(refers="/interface list"),
    "src-address-list": TEXT, "dst-address-list": TEXT, "connection-state": TEXT,
    "connection-nat-state": TEXT, "connection-mark": TEXT, "routing-mark": TEXT, "ipsec-policy": TEXT,
    **texts("src-mac-address", "tcp-flags", "icmp-options", "limit", "dst-limit", "connection-limit", "port",
            "packet-mark", "layer7-protocol", "content", "dscp", "ttl", "nth", "random", "time", "in-bridge-port",
            "out-bridge-port", "src-address-type", "dst-address-type", "fragment", "hotspot", "packet-size",
            "priority", "tls-host", "per-connection-classifier", "psd", "ipv4-options", "connection-type",
            "connection-bytes", "connection-rate", "tcp-mss"),
    "log": BOOL_NO, "log-prefix": Prop("str", ""), "comment": TEXT, "disabled": BOOL_NO,
    "bytes": ro("0"), "packets": ro("0"), "dynamic": ro(False), "invalid": ro(False),
}
FILTER_ACTIONS = ("accept", "drop", "reject", "fasttrack-connection", "jump", "return", "passthrough", "log",
                  "add-src-to-address-list", "add-dst-to-address-list", "tarpit")
FIREWALL_FLAGS = ("disabled", "dynamic", "invalid")

MENUS: tuple[Menu, ...] = (
    Menu("/interface bridge", {**INTERFACE, "mtu": Prop("str", "auto"), "admin-mac": TEXT, "auto-mac": BOOL_YES,
                               "protocol-mode": enum("rstp", "none", "rstp", "stp", "mstp"),
                               "vlan-filtering": BOOL_NO, "igmp-snooping": BOOL_NO, "dhcp-snooping": BOOL_NO,
                               "fast-forward": BOOL_YES, "ingress-filtering": BOOL_YES,
                               "pvid": Prop("int", 1, low=1, high=4094), "ageing-time": Prop("duration", "5m"),
                               "frame-types": Prop("str", "admit-all")},
         unique=_named(), interface_type="bridge", flags=("disabled", "running")),
    Menu("/interface ethernet", {**INTERFACE, "default-name": ro(""), "mac-address": ro(""),
                                 "l2mtu": Prop("int", 1598, low=0, high=65535)},
         kind="fixed", unique=_named(), interface_type="ether", refer="default-name", flags=("disabled", "running")),
    Menu("/interface wireguard", {**INTERFACE, "mtu": Prop("int", 1420, low=0, high=65535),
                                  "listen-port": Prop("int", 13231, low=1, high=65535), "private-key": TEXT,
                                  "public-key": ro("")},
         unique=_named(), interface_type="wg", flags=("disabled", "running")),
    Menu("/interface vlan", {**INTERFACE, "interface": req(refers="interface"),
                             "vlan-id": req("int", low=1, high=4094), "use-service-tag": BOOL_NO},
         unique=_named() + ((("interface", "vlan-id"), "failure: already have such vlan"),),
         interface_type="vlan", flags=("disabled", "running")),
    Menu("/interface list", {"name": req(), "include": Prop("str", ""), "exclude": Prop("str", ""),
                             "comment": TEXT, "builtin": ro(False), "dynamic": ro(False)},
         unique=_named("failure: already have such interface list"), flags=("builtin", "dynamic")),
    Menu("/interface wifi security", {"name": req(), "authentication-types": TEXT, "passphrase": TEXT,
                                      "encryption": TEXT, "wps": TEXT, **COMMON},
         unique=_named("failure: already have such entry")),
    Menu("/interface wireless security-profiles", {
        "name": req(), "mode": enum("none", "none", "static-keys-required", "static-keys-optional", "dynamic-keys"),
        "authentication-types": Prop("str", ""), "unicast-ciphers": Prop("str", "aes-ccm"),
        "group-ciphers": Prop("str", "aes-ccm"), "wpa-pre-shared-key": Prop("str", ""),
        "wpa2-pre-shared-key": Prop("str", ""), "supplicant-identity": Prop("str", ""), "comment": TEXT,
        "default": ro(False)},
        unique=_named("failure: already have such profile"), flags=("default",)),
    Menu("/ip ipsec peer", {"name": req(), "address": Prop("prefix"), "exchange-mode": enum(
        "main", "main", "aggressive", "base", "ike2"), "profile": Prop("str", "default"), "passive": BOOL_NO,
        "send-initial-contact": BOOL_YES, **COMMON, "dynamic": ro(False)},
        unique=_named("failure: already have such peer"), flags=("disabled", "dynamic")),
    Menu("/ip pool", {"name": req(), "ranges": req(), "next-pool": Prop("str", "none"), **COMMENT},
         unique=_named("failure: already have such pool"), flags=()),
    Menu("/ip dhcp-server", {"name": req(), "interface": req(refers="interface"),
                             "address-pool": Prop("str", "static-only"), "lease-time": Prop("duration", "30m"),
                             "authoritative": enum("yes", "yes", "no", "after-2sec-delay", "after-10sec-delay"),
                             "add-arp": BOOL_NO, "always-broadcast": BOOL_NO, "conflict-detection": BOOL_YES,
                             "use-radius": Prop("str", "no"), **texts("lease-script", "relay", "server-address"),
                             **COMMON, "dynamic": ro(False), "invalid": ro(False)},
         unique=_named("failure: already have such server"), flags=("disabled", "dynamic", "invalid")),
    Menu("/snmp community", {"name": req(), "addresses": Prop("ips", "::/0"), "security": enum(
        "none", "none", "authorized", "private"), "read-access": BOOL_YES, "write-access": BOOL_NO,
        "authentication-protocol": enum("MD5", "MD5", "SHA1"), "encryption-protocol": enum("DES", "DES", "AES"),
        "authentication-password": Prop("str", ""), "encryption-password": Prop("str", ""), "comment": TEXT,
        "disabled": BOOL_NO, "default": ro(False)},
        unique=_named("failure: already have such community"), flags=("disabled", "default")),
    Menu("/interface bridge port", {"bridge": req(refers="bridge"), "interface": req(refers="interface"),
                                    "pvid": Prop("int", 1, low=1, high=4094), "horizon": Prop("str", "none"),
                                    "frame-types": enum("admit-all", "admit-all", "admit-only-vlan-tagged",
                                                        "admit-only-untagged-and-priority-tagged"),
                                    **COMMON, "dynamic": ro(False), "inactive": ro(False)},
         unique=((("interface",), "failure: device already added as bridge port"),),
         flags=("disabled", "dynamic", "inactive")),
    Menu("/interface l2tp-server server", {"enabled": BOOL_NO, "use-ipsec": enum("no", "no", "yes", "required"),
                                           "ipsec-secret": Prop("str", ""), "default-profile":
                                           Prop("str", "default-encryption"), "max-mtu": Prop("int", 1450),
                                           "authentication": Prop("str", "pap,chap,mschap1,mschap2")},
         kind="single"),
    Menu("/interface list member", {"list": req(refers="/interface list"), "interface": req(refers="interface"),
                                    **COMMON, "dynamic": ro(False)},
         unique=((("list", "interface"), "failure: already have such entry"),), flags=("disabled", "dynamic")),
    Menu("/interface wireguard peers", {"interface": req(refers="wg"), "public-key": req(), "name": TEXT,
                                        "allowed-address": Prop("ips", ""), "endpoint-address": Prop("str", ""),
                                        "endpoint-port": Prop("int", 0, high=65535), "preshared-key": TEXT,
                                        "persistent-keepalive": Prop("duration"), **COMMON},
         unique=((("interface", "public-key"), "failure: already have peer with such public key"),)),
    Menu("/ip address", {"address": req("interface_address"), "interface": req(refers="interface"),
                         "network": Prop("ip", _network), "comment": TEXT, "disabled": BOOL_NO,
                         "actual-interface": Prop("str", _same_as("interface"), read_only=True),
                         "invalid": ro(False), "dynamic": ro(False)},
         unique=((("address", "interface"), "failure: already have such address"),),
         flags=("disabled", "invalid", "dynamic")),
    Menu("/ip dhcp-server network", {"address": req("prefix"), "gateway": Prop("ips", ""),
                                     "dns-server": Prop("ips", ""), "domain": TEXT, "netmask": Prop("int", 0, high=32),
                                     "ntp-server": Prop("ips", ""), **COMMENT, "dynamic": ro(False),
                                     **texts("dhcp-option", "next-server", "wins-server", "boot-file-name",
                                             "caps-manager")},
         unique=((("address",), "failure: already have such network"),), flags=("dynamic",)),
    Menu("/ip dns", {"servers": Prop("ips", ""), "allow-remote-requests": BOOL_NO,
                     "cache-size": Prop("int", 2048, low=64, high=4294967295), "cache-max-ttl": Prop("duration", "1w"),
                     "max-udp-packet-size": Prop("int", 4096, low=50, high=65507),
                     "max-concurrent-queries": Prop("int", 100), "max-concurrent-tcp-sessions": Prop("int", 20),
                     "query-server-timeout": Prop("duration", "2s"), "query-total-timeout": Prop("duration", "10s"),
                     "use-doh-server": Prop("str", ""), "verify-doh-cert": BOOL_NO,
                     "dynamic-servers": ro(""), "cache-used": ro("24")}, kind="single"),
    Menu("/ip dns static", {"name": TEXT, "regexp": TEXT, "address": Prop("prefix"), "cname": TEXT,
                            "type": enum("A", "A", "AAAA", "CNAME", "FWD", "MX", "NS", "NXDOMAIN", "SRV", "TXT"),
                            "ttl": Prop("duration", "1d"), "forward-to": TEXT, "text": TEXT, **COMMON,
                            "dynamic": ro(False)},
         flags=("disabled", "dynamic")),
    Menu("/ip firewall address-list", {"list": req(), "address": req("str"), "timeout": Prop("duration"),
                                       **COMMON, "dynamic": ro(False), "creation-time": ro("jan/01/2025 00:00:00")},
         unique=((("list", "address"), "failure: already have such entry"),), flags=("disabled", "dynamic")),
    Menu("/ip firewall filter", {**FIREWALL, "action": enum("accept", *FILTER_ACTIONS, exported=True),
                                 "jump-target": TEXT,
                                 "reject-with": TEXT, "hw-offload": BOOL_NO},
         ordered=True, flags=FIREWALL_FLAGS),
    Menu("/ip firewall mangle", {**FIREWALL, "action": Prop("enum", "accept", exported=True, choices=(
        "accept", "mark-connection", "mark-packet", "mark-routing", "change-mss", "change-dscp",
        "change-ttl", "passthrough", "jump", "return", "log", "route", "sniff-tzsp", "strip-ipv4-options",
        "add-src-to-address-list", "add-dst-to-address-list")), "new-connection-mark": TEXT,
        "new-packet-mark": TEXT, "new-routing-mark": TEXT, "new-mss": TEXT, "passthrough": BOOL_YES,
        "jump-target": TEXT}, ordered=True, flags=FIREWALL_FLAGS),
    Menu("/ip firewall nat", {**FIREWALL, "action": Prop("enum", "accept", exported=True, choices=(
        "accept", "masquerade", "src-nat", "dst-nat", "netmap", "redirect", "same", "endpoint-independent-nat",
        "jump", "return", "passthrough", "log")), "to-addresses": Prop("prefix"), "to-ports": Prop("port"),
        "jump-target": TEXT}, ordered=True, flags=FIREWALL_FLAGS),
    Menu("/ip firewall raw", {**FIREWALL, "action": Prop("enum", "accept", exported=True, choices=(
        "accept", "drop", "notrack", "jump", "return", "passthrough", "log", "add-src-to-address-list",
        "add-dst-to-address-list")), "jump-target": TEXT}, ordered=True, flags=FIREWALL_FLAGS),
    Menu("/ip ipsec identity", {"peer": req(refers="/ip ipsec peer"), "secret": TEXT,
                                "auth-method": enum("pre-shared-key", "pre-shared-key", "digital-signature",
                                                    "eap", "eap-radius", "pre-shared-key-xauth", "rsa-key"),
                                "generate-policy": enum("no", "no", "port-override", "port-strict"),
                                **COMMON, "dynamic": ro(False)},
         unique=((("peer",), "failure: this peer already has an identity"),), flags=("disabled", "dynamic")),
    Menu("/ip route", {"dst-address": Prop("prefix", "0.0.0.0/0"), "gateway": TEXT,
                       "distance": Prop("int", 1, high=255),
                       "scope": Prop("int", 30, high=255), "target-scope": Prop("int", 10, high=255),
                       "routing-table": Prop("str", "main"), "check-gateway": TEXT, "vrf-interface": TEXT,
                       "blackhole": BOOL_NO, "pref-src": TEXT, "suppress-hw-offload": BOOL_NO,
                       **COMMON, "dynamic": ro(False), "active": ro(True), "static": ro(True)},
         flags=("disabled", "dynamic", "active", "static")),
    Menu("/ip service", {"name": ro(""), "port": Prop("int", 0, low=1, high=65535), "address": Prop("ips", ""),
                         "certificate": Prop("str", "none"), "vrf": Prop("str", "main"), "disabled": BOOL_NO,
                         "invalid": ro(False)},
         kind="fixed", refer="name", flags=("disabled", "invalid")),
    Menu("/ppp secret", {"name": req(), "password": Prop("str", ""), "profile": Prop("str", "default"),
                         "service": enum("any", "any", "async", "l2tp", "ovpn", "pppoe", "pptp", "sstp"),
                         "local-address": Prop("ip"), "remote-address": Prop("ip"), "routes": TEXT, **COMMON,
                         **texts("caller-id", "ipv6-routes", "limit-bytes-in", "limit-bytes-out",
                                 "remote-ipv6-prefix")},
         unique=_named("failure: secret with the same name already exists")),
    Menu("/snmp", {"enabled": BOOL_NO, "contact": Prop("str", ""), "location": Prop("str", ""),
                   "trap-version": Prop("int", 1, low=1, high=3), "trap-community": Prop("str", "public"),
                   "engine-id-suffix": Prop("str", ""), "src-address": Prop("str", "::"),
                   "trap-generators": Prop("str", "temp-exception"), "trap-interfaces": Prop("str", ""),
                   "trap-target": Prop("str", ""), "vrf": Prop("str", "main")}, kind="single"),
    Menu("/system identity", {"name": Prop("str", "MikroTik")}, kind="single"),
    Menu("/system ntp client", {"enabled": BOOL_NO, "mode": enum("unicast", "unicast", "broadcast", "multicast",
                                                                 "manycast"),
                                "servers": Prop("str", ""), "vrf": Prop("str", "main"), "status": ro("stopped")},
         kind="single"),
    Menu("/system ntp client servers", {"address": req(), "iburst": BOOL_YES, "auth-key": Prop("str", "none"),
                                        "min-poll": Prop("int", 6, low=3, high=17),
                                        "max-poll": Prop("int", 10, low=3, high=17), **COMMON,
                                        "dynamic": ro(False)},
         unique=((("address",), "failure: already have such server"),), flags=("disabled", "dynamic")),
    Menu("/system scheduler", {"name": req(), "start-date": TEXT, "start-time": Prop("str", "startup"),
                               "interval": Prop("duration", "0s"), "on-event": Prop("str", ""),
                               "policy": Prop("str", "ftp,reboot,read,write,policy,test,password,sniff,sensitive,"
                                                     "romon"),
                               **COMMON, "owner": ro("admin"), "run-count": ro("0"), "next-run": ro("")},
         unique=_named("failure: item with such name already exists")),
    # Files on the router's disk: not configuration (never exported, kept across /system backup load)
    Menu("/file", {"name": req(), "type": ro("file"), "size": ro("0"), "creation-time": ro(""), "contents": TEXT},
         unique=_named("failure: file with such name already exists"), flags=()),
    Menu("/user", {"name": req(), "group": req(), "password": Prop("str", write_only=True),
                   "address": Prop("ips", ""), **COMMON, "last-logged-in": ro("")},
         unique=_named("failure: user with the same name already exists")),
)
BY_PATH = {menu.path: menu for menu in MENUS}
# Menus whose lines export writes, in the order RouterOS writes them (things referred to come first).
NOT_CONFIGURATION = ("/file",)
EXPORT_ORDER = tuple(menu.path for menu in MENUS if menu.path not in NOT_CONFIGURATION)
# /interface itself: a read-only view of every menu of interfaces.
INTERFACE_MENUS = tuple(menu for menu in MENUS if menu.interface_type)
