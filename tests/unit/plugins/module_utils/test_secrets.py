"""Masking secrets in RouterOS exports, on lines shaped as real exports write them."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._backups import unified_diff
from ansible_collections.altostrat.sdx.plugins.module_utils._secrets import (
    MASK, is_secret_name, mask, mask_line, section_of, unwrap)

M = MASK
# (export line, the same line masked, the secret values that must be gone)
LINES = [
    ("add name=vpn-user1 password=Str0ngPPP! profile=default-encryption service=l2tp",
     f"add name=vpn-user1 password={M} profile=default-encryption service=l2tp", ["Str0ngPPP!"]),
    ('add authentication-types=wpa2-psk,wpa3-psk name=sec-office passphrase="Office Wifi 2024!"',
     f'add authentication-types=wpa2-psk,wpa3-psk name=sec-office passphrase="{M}"', ["Office Wifi 2024!"]),
    ("add authentication-types=wpa-psk,wpa2-psk mode=dynamic-keys name=guest supplicant-identity=MikroTik "
     "wpa-pre-shared-key=GuestPass1 wpa2-pre-shared-key=GuestPass2",
     f"add authentication-types=wpa-psk,wpa2-psk mode=dynamic-keys name=guest supplicant-identity=MikroTik "
     f"wpa-pre-shared-key={M} wpa2-pre-shared-key={M}", ["GuestPass1", "GuestPass2"]),
    ('add peer=hq-peer secret="ipsec psk with \\"quotes\\" inside"', f'add peer=hq-peer secret="{M}"',
     ["ipsec psk", "quotes"]),
    ("add address=203.0.113.10/32 name=hq-peer secret=v6StylePeerSecret", f"add address=203.0.113.10/32 "
     f"name=hq-peer secret={M}", ["v6StylePeerSecret"]),
    ("add auth-method=eap certificate=\"\" eap-methods=eap-mschapv2 password=EapPass1 peer=p1 username=branch",
     f"add auth-method=eap certificate=\"\" eap-methods=eap-mschapv2 password={M} peer=p1 username=branch",
     ["EapPass1"]),
    ("add addresses=10.0.0.0/8 authentication-password=snmpAuthPass1 authentication-protocol=SHA1 "
     "encryption-password=snmpPrivPass1 encryption-protocol=AES name=monitoring security=private",
     f"add addresses=10.0.0.0/8 authentication-password={M} authentication-protocol=SHA1 "
     f"encryption-password={M} encryption-protocol=AES name=monitoring security=private",
     ["snmpAuthPass1", "snmpPrivPass1"]),
    ("add group=full name=netops password=N3tops-Secret", f"add group=full name=netops password={M}",
     ["N3tops-Secret"]),
    ('add listen-port=13231 mtu=1420 name=wg0 private-key="yOvTgmUvA2lJWQ2xB5f5cV4gC3Xu8uI6h0Zr5t1q0n8="',
     f'add listen-port=13231 mtu=1420 name=wg0 private-key="{M}"', ["yOvTgmUvA2lJ"]),
    ('add allowed-address=10.9.0.2/32 interface=wg0 preshared-key="c2VjcmV0cHNr" '
     'public-key="aGVsbG8gd29ybGQgcHVibGljIGtleQ="',
     f'add allowed-address=10.9.0.2/32 interface=wg0 preshared-key="{M}" '
     f'public-key="aGVsbG8gd29ybGQgcHVibGljIGtleQ="', ["c2VjcmV0cHNr"]),
    ("set enabled=yes ipsec-secret=l2tpIpsecKey use-ipsec=yes", f"set enabled=yes ipsec-secret={M} use-ipsec=yes",
     ["l2tpIpsecKey"]),
    ("add address=10.0.0.5 secret=RadiusShared1 service=ppp,login", f"add address=10.0.0.5 secret={M} "
     "service=ppp,login", ["RadiusShared1"]),
    ("add connect-to=198.51.100.1 name=pppoe-out1 password=IspPassword user=isp-user",
     f"add connect-to=198.51.100.1 name=pppoe-out1 password={M} user=isp-user", ["IspPassword"]),
    ("add as=65001 local.role=ebgp name=peer1 remote.address=192.0.2.1 tcp-md5-key=BgpMd5Key",
     f"add as=65001 local.role=ebgp name=peer1 remote.address=192.0.2.1 tcp-md5-key={M}", ["BgpMd5Key"]),
    ("add area=backbone auth=md5 auth-id=1 auth-key=OspfKey1 interfaces=ether2",
     f"add area=backbone auth=md5 auth-id=1 auth-key={M} interfaces=ether2", ["OspfKey1"]),
    ("add mode=static-keys-required name=wep static-key-0=0123456789 static-algo-0=40bit-wep",
     f"add mode=static-keys-required name=wep static-key-0={M} static-algo-0=40bit-wep", ["0123456789"]),
    ("set enabled=yes secrets=RomonSecret1", f"set enabled=yes secrets={M}", ["RomonSecret1"]),
    ('set from=router@example.com password="mail pass" server=smtp.example.com user=router',
     f'set from=router@example.com password="{M}" server=smtp.example.com user=router', ["mail pass"]),
    ('add password="" name=empty', f'add password="{M}" name=empty', []),
]
# Lines with nothing secret in them stay exactly as they are.
UNTOUCHED = [
    "add address=192.168.88.1/24 comment=defconf interface=bridge network=192.168.88.0",
    "set [ find default=yes ] supplicant-identity=MikroTik",
    'add allowed-address=10.9.0.2/32 interface=wg0 public-key="aGVsbG8gd29ybGQ="',
    "add auth-method=digital-signature certificate=branch.crt peer=hq-peer",
    "add key-usage=digital-signature,key-cert-sign name=ca common-name=ca",
    "# 2026-11-29 00:21:42 by RouterOS 7.16.2",
    "/ppp secret",
]


@pytest.mark.parametrize("line, masked, gone", LINES)
def test_secret_values_in_real_export_lines_are_masked(line, masked, gone):
    assert mask_line(line) == masked
    for value in gone:
        assert value not in mask_line(line)


@pytest.mark.parametrize("line", UNTOUCHED)
def test_lines_without_secrets_are_left_alone(line):
    assert mask_line(line) == line


def test_diff_lines_are_masked_like_export_lines():
    assert mask_line("+add name=u password=p1") == f"+add name=u password={M}"
    assert mask_line("-add name=u password=p0") == f"-add name=u password={M}"


def test_a_secret_wrapped_over_two_lines_is_joined_then_masked():
    export = ('/interface wifi security\nadd authentication-types=wpa2-psk name=sec passphrase="Office \\\n'
              '    Wifi w8807ce"\n/ip address\nadd address=10.0.0.1/24 \\\n    interface=bridge\n')
    assert unwrap(export) == ('/interface wifi security\nadd authentication-types=wpa2-psk name=sec '
                              'passphrase="Office Wifi w8807ce"\n/ip address\nadd address=10.0.0.1/24 '
                              'interface=bridge\n')
    masked = mask(export)
    assert "w8807ce" not in masked and "Office" not in masked
    assert f'passphrase="{M}"' in masked


def test_an_escaped_backslash_at_the_end_of_a_value_is_not_a_continuation():
    text = 'add comment="ends with \\\\"\n    indented'
    assert unwrap(text) == text


@pytest.mark.parametrize("name, secret", [
    ("password", True), ("wpa2-pre-shared-key", True), ("authentication-password", True), ("private-key", True),
    ("Passphrase", True), ("public-key", False), ("supplicant-identity", False), ("auth-method", False),
    ("key-usage", False), ("static-algo-0", False), ("name", False),
])
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


# Where an attribute's meaning depends on its section: (export, the same export masked, secrets that must go).
# Each export is a section header and a line, or one line carrying its own menu path.
SECTIONED = [
    ("/container envs\nadd key=DB_PASSWORD name=app value=hunter2",
     f"/container envs\nadd key=DB_PASSWORD name=app value={M}", ["hunter2"]),
    ("/container envs add key=DB_PASSWORD name=app value=hunter2",
     f"/container envs add key=DB_PASSWORD name=app value={M}", ["hunter2"]),
    ("/container/envs add key=API_TOKEN list=app value=\"tok en\"",
     f"/container/envs add key=API_TOKEN list=app value=\"{M}\"", ["tok en"]),
    ("/container envs\nset [ find key=DB_PASSWORD ] value=s3cr3t-v2",
     f"/container envs\nset [ find key=DB_PASSWORD ] value={M}", ["s3cr3t-v2"]),
    ("/container envs\nadd key=GREETING name=app value=\"hello \\\n    world\"",
     f"/container envs\nadd key=GREETING name=app value=\"{M}\"", ["hello", "world"]),
    ("/snmp community\nadd addresses=10.0.0.0/8 name=s3cretcommunity",
     f"/snmp community\nadd addresses=10.0.0.0/8 name={M}", ["s3cretcommunity"]),
    ("/snmp community\nset [ find default=yes ] name=privComm1",
     f"/snmp community\nset [ find default=yes ] name={M}", ["privComm1"]),
    ("/snmp community set [ find name=public ] name=privComm2",
     f"/snmp community set [ find name={M} ] name={M}", ["public", "privComm2"]),
    ("/snmp/community add name=\"comm with space\" addresses=0.0.0.0/0",
     f"/snmp/community add name=\"{M}\" addresses=0.0.0.0/0", ["comm with space"]),
    ("/user\nadd name=u password=ab]cd[ef", f"/user\nadd name=u password={M}", ["ab]cd", "cd[ef"]),
    ("/system ntp key\nadd key=NtpKey123 key-id=1 key-type=sha1",
     f"/system ntp key\nadd key={M} key-id=1 key-type=sha1", ["NtpKey123"]),
]
# Lookalikes: the same attribute names where they carry nothing secret stay visible.
SECTION_LOOKALIKES = [
    "/container envs\nadd key=DB_PASSWORD name=app",
    "/container\nadd envlist=app interface=veth1 root-dir=disk1/app",
    "/ip dhcp-server option\nadd code=43 name=opt43 value=0x0104c0a80101",
    "/snmp\nset contact=noc@example.com enabled=yes trap-community=public",
    "/interface bridge\nadd name=bridge",
    "/system ntp client\nset enabled=yes",
    "/snmp community\n/ip address\nadd address=10.0.0.1/24 interface=ether1 network=10.0.0.0",
]


@pytest.mark.parametrize("export, masked, gone", SECTIONED)
def test_secrets_whose_meaning_depends_on_the_section_are_masked(export, masked, gone):
    assert mask(export) == masked
    for value in gone:
        assert value not in mask(export)


@pytest.mark.parametrize("export", SECTION_LOOKALIKES)
def test_section_lookalikes_stay_visible(export):
    assert mask(export) == export


@pytest.mark.parametrize("line, section", [
    ("/container envs", "container envs"), ("/container/envs add key=A value=b", "container envs"),
    ("/snmp community set [ find ] name=x", "snmp community"), ("/ip address", "ip address"),
    ("/ip address add address=10.0.0.1/24", "ip address"), ("/system ntp key", "system ntp key"),
    ("add key=A value=b", None), ("# /container envs", None),
])
def test_the_section_a_line_names(line, section):
    assert section_of(line) == section


def test_a_diff_masks_each_line_in_its_own_section():
    before = ("/container envs\nadd key=HOME name=app value=/root\n/snmp community\n"
              "set [ find default=yes ] addresses=10.0.0.0/8\n/system ntp key\n")
    after = before.replace("value=/root\n", "value=/root\nadd key=DB_PASSWORD name=app value=hunter2\n").replace(
        "addresses=10.0.0.0/8\n", "addresses=10.0.0.0/8\nadd name=s3cretcommunity\n").replace(
        "/system ntp key\n", "/system ntp key\nadd key=NtpKey123 key-id=1\n")
    diff = unified_diff(before, after, "a", "b")
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == [f"+add key=DB_PASSWORD name=app value={M}", f"+add name={M}", f"+add key={M} key-id=1"]
    for secret in ("hunter2", "s3cretcommunity", "NtpKey123"):
        assert secret not in diff
    assert "+add key=DB_PASSWORD name=app value=hunter2" in unified_diff(before, after, "a", "b", True)
