"""A site's router before any job: what every RouterOS router has, then the site's own configuration.

The site's configuration is written as a RouterOS script and run through the engine, so the seed obeys the
same rules as every job. It holds the secret-bearing entries real exports carry (different on every site).
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from .router import Entry, Router
from .schema import BY_PATH
from .script import run_script

ETHERNET_PORTS = 5
# /ip service: name and port of each service a RouterOS 7 router has (IP > Services page).
SERVICES = (("telnet", 23), ("ftp", 21), ("www", 80), ("ssh", 22), ("www-ssl", 443), ("api", 8728),
            ("winbox", 8291), ("api-ssl", 8729))
BUILTIN_LISTS = ("all", "none", "dynamic", "static")
WAN_GATEWAY = "198.51.100.254"


class SiteLike(Protocol):
    id: str
    identity: str
    last_seen_from: str


def secret(site: SiteLike, label: str) -> str:
    """A per-site secret that looks like one someone would choose (different on every site)."""
    return label + hashlib.sha256(f"{site.id}:{label}".encode()).hexdigest()[:6]


def mac(site: SiteLike, port: int) -> str:
    digest = hashlib.sha256(f"{site.id}:mac".encode()).hexdigest().upper()
    return ":".join(["48", "A9", "8A", digest[0:2], digest[2:4], f"{port:02X}"])


def seed_script(site: SiteLike, with_dns: bool = True) -> str:
    """The site's own configuration as a script (the lines a defconf router plus the site's changes export)."""
    wireguard_key = hashlib.sha256(f"{site.id}:wg".encode()).hexdigest()[:43] + "="
    lines = [
        "/interface bridge add admin-mac=48:A9:8A:12:34:56 auto-mac=no comment=defconf name=bridge",
        f'/interface wireguard add listen-port=13231 mtu=1420 name=wg-hq private-key="{wireguard_key}"',
        "/interface wifi security add authentication-types=wpa2-psk,wpa3-psk name=sec-office "
        f'passphrase="Office Wifi {secret(site, "w")}"',
        "/interface wireless security-profiles set [ find default=yes ] supplicant-identity=MikroTik",
        "/interface wireless security-profiles add authentication-types=wpa2-psk mode=dynamic-keys name=guest "
        f'supplicant-identity="" wpa2-pre-shared-key="{secret(site, "Guest#")}"',
        "/ip ipsec peer add address=203.0.113.10/32 exchange-mode=ike2 name=hq-peer",
        "/snmp community set [ find default=yes ] disabled=yes",
        f"/snmp community add addresses=10.0.0.0/8 authentication-password={secret(site, 'snmpA')} "
        f"authentication-protocol=SHA1 encryption-password={secret(site, 'snmpE')} encryption-protocol=AES "
        "name=monitoring security=private",
        f"/interface l2tp-server server set enabled=yes ipsec-secret={secret(site, 'l2tp')} use-ipsec=yes",
        "/ip address add address=192.168.88.1/24 comment=defconf interface=bridge network=192.168.88.0",
        *(["/ip dns static add address=192.168.88.10 name=nas.branch.lan"] if with_dns else []),
        f'/ip ipsec identity add peer=hq-peer secret="psk {secret(site, "ipsec")}"',
        f"/ppp secret add name=vpn-user1 password={secret(site, 'Ppp!')} profile=default-encryption service=l2tp",
        f'/system identity set name="{site.identity}"',
        f"/user add group=full name=netops password={secret(site, 'N3tops-')}",
    ]
    return "\n".join(lines)


def builtin(router: Router, path: str, fixed: dict, values: dict | None = None) -> Entry:
    menu = BY_PATH[path]
    entry = Entry(router.new_id(menu), dict(values or {}), dict(fixed))
    router.entries(path).append(entry)
    return entry


def factory_router(site: SiteLike) -> Router:
    """What every router has before anyone configures it, plus what DHCP on ether1 gives it."""
    router = Router()
    for port in range(1, ETHERNET_PORTS + 1):
        builtin(router, "/interface ethernet", {"default-name": f"ether{port}", "name": f"ether{port}",
                                                "mac-address": mac(site, port)})
    for name in BUILTIN_LISTS:
        builtin(router, "/interface list", {"name": name, "builtin": True})
    for name, port in SERVICES:
        builtin(router, "/ip service", {"name": name, "port": port})
    builtin(router, "/snmp community", {"name": "public", "default": True})
    builtin(router, "/interface wireless security-profiles", {"name": "default", "default": True})
    return router


def dhcp_client_lease(router: Router, site: SiteLike) -> None:
    """What the DHCP client on ether1 adds: dynamic entries, printed but never exported."""
    builtin(router, "/ip address", {"address": f"{site.last_seen_from}/24", "interface": "ether1",
                                    "dynamic": True})
    builtin(router, "/ip route", {"dst-address": "0.0.0.0/0", "gateway": WAN_GATEWAY, "distance": 1,
                                  "dynamic": True})
    router.settings["/ip dns"]["dynamic-servers"] = WAN_GATEWAY


def seed_router(site: SiteLike, with_dns: bool = True) -> Router:
    router = factory_router(site)
    error = run_script(router, seed_script(site, with_dns))
    if error is not None:
        raise RuntimeError(f"the seed configuration does not run: {error}")
    dhcp_client_lease(router, site)
    return router
