"""A router's configuration as RouterOS exports it: seeded per site, grown by the scripts of completed jobs."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from .fleet import Site

# Verbs that change configuration; a script line with another verb (print, remove, export...) adds nothing.
CONFIG_VERBS = ("add", "set")
VERBS = "|".join(CONFIG_VERBS)
COMMAND = re.compile(rf"^/(?P<path>(?:[a-z0-9-]+[ /]+)+?)(?P<verb>{VERBS})(?:\s+(?P<rest>.*))?$", re.S)
EXPORT_WIDTH = 80  # RouterOS wraps export lines with " \" and a four-space continuation past this width


def _secret(site: Site, label: str) -> str:
    """A per-site secret that looks like one someone would choose (different on every site)."""
    return label + hashlib.sha256(f"{site.id}:{label}".encode()).hexdigest()[:6]


def seed_sections(site: Site) -> dict[str, list[str]]:
    """The site's configuration before any job, with the secret-bearing lines real exports carry."""
    wireguard_key = hashlib.sha256(f"{site.id}:wg".encode()).hexdigest()[:43] + "="
    return {
        "/interface bridge": ["add admin-mac=48:A9:8A:12:34:56 auto-mac=no comment=defconf name=bridge"],
        "/interface wireguard": [f'add listen-port=13231 mtu=1420 name=wg-hq private-key="{wireguard_key}"'],
        "/interface wifi security": [
            "add authentication-types=wpa2-psk,wpa3-psk name=sec-office "
            f'passphrase="Office Wifi {_secret(site, "w")}"'],
        "/interface wireless security-profiles": [
            "set [ find default=yes ] supplicant-identity=MikroTik",
            f"add authentication-types=wpa2-psk mode=dynamic-keys name=guest supplicant-identity=\"\" "
            f"wpa2-pre-shared-key={_secret(site, 'Guest#')}"],
        "/ip ipsec peer": ["add address=203.0.113.10/32 exchange-mode=ike2 name=hq-peer"],
        "/ip ipsec identity": [f'add peer=hq-peer secret="psk {_secret(site, "ipsec")}"'],
        "/ip address": ["add address=192.168.88.1/24 comment=defconf interface=bridge network=192.168.88.0"],
        "/ip dns static": ["add address=192.168.88.10 name=nas.branch.lan"],
        "/ppp secret": [f"add name=vpn-user1 password={_secret(site, 'Ppp!')} profile=default-encryption service=l2tp"],
        "/snmp community": [
            "set [ find default=yes ] disabled=yes",
            f"add addresses=10.0.0.0/8 authentication-password={_secret(site, 'snmpA')} authentication-protocol=SHA1 "
            f"encryption-password={_secret(site, 'snmpE')} encryption-protocol=AES name=monitoring security=private"],
        "/system identity": [f"set name={site.identity}"],
        "/user": [f"add group=full name=netops password={_secret(site, 'N3tops-')}"],
        "/interface l2tp-server server": [f"set enabled=yes ipsec-secret={_secret(site, 'l2tp')} use-ipsec=yes"],
    }


def split_commands(script: str) -> list[str]:
    """The script's commands: one per line, and ``;`` outside quotes ends one too."""
    commands, current, quoted, escaped = [], [], False, False
    for char in script:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char in "\n;" and not quoted:
            commands.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    commands.append("".join(current).strip())
    return [command for command in commands if command]


def as_export_line(command: str) -> tuple[str, str] | None:
    """``/ip address add a=b`` (or ``/ip/address/add a=b``) as the export's (section, line); None if not config."""
    match = COMMAND.match(command)
    if match is None:
        return None
    section = "/" + " ".join(match["path"].replace("/", " ").split())
    return section, " ".join(part for part in (match["verb"], (match["rest"] or "").strip()) if part)


def apply_script(sections: dict[str, list[str]], script: str) -> None:
    """Add the script's configuration lines; a line already in its section is not added again."""
    for command in split_commands(script):
        parsed = as_export_line(command)
        if parsed is None:
            continue
        section, line = parsed
        lines = sections.setdefault(section, [])
        if line not in lines:
            lines.append(line)


def wrap(line: str) -> list[str]:
    """Break a long line at spaces, as RouterOS does: `` \\`` at the end, four spaces on the next line."""
    out: list[str] = []
    while len(line) > EXPORT_WIDTH:
        cut = line.rfind(" ", 0, EXPORT_WIDTH - 2)
        if cut <= 4:
            break
        out.append(line[:cut + 1] + "\\")
        line = "    " + line[cut + 1:]
    return out + [line]


def render(site: Site, sections: dict[str, list[str]], moment: datetime) -> str:
    """The export text: RouterOS's header comment, then each section and its lines."""
    if site.software_version.startswith("6."):
        stamp = moment.strftime("%b/%d/%Y %H:%M:%S").lower()
    else:
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"# {stamp} by RouterOS {site.software_version}", f"# software id = {site.software_id}", "#",
             f"# model = {site.model}", f"# serial number = {site.serial_number}"]
    for section, entries in sections.items():
        if entries:
            lines.append(section)
            for entry in entries:
                lines.extend(wrap(entry))
    return "\n".join(lines) + "\n"
