# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Secrets in RouterOS exports: join wrapped lines, mask the values of secret-bearing attributes."""

from __future__ import annotations

import re

MASK = "********"

# Attribute names whose value is a secret, whole (password=) or as a suffix (wpa2-pre-shared-key=).
SECRET_NAMES = frozenset({
    "password", "secret", "secrets", "passphrase", "private-key", "preshared-key", "pre-shared-key", "key",
    "auth-key", "authentication-key", "tcp-md5-key", "md5-key", "management-protection-key",
})
SECRET_SUFFIXES = ("-password", "-secret", "-passphrase", "-pre-shared-key", "-preshared-key", "-private-key",
                   "-auth-key", "-authentication-key", "-md5-key")
STATIC_KEY = re.compile(r"^static-key-\d+$")  # WEP keys of wireless security profiles

# Sections where an attribute means something else than it does elsewhere: True makes it secret there,
# False keeps it visible. A container environment variable's value is the secret and its key is only the
# variable's name; an SNMP v1/v2c community's name is the credential itself.
SECTION_SECRETS: dict[str, dict[str, bool]] = {
    "container envs": {"value": True, "key": False},
    "snmp community": {"name": True},
}

# name=value, where value is a quoted string (backslash escapes allowed) or runs to the next space.
_ATTRIBUTE = re.compile(r'(?<![^\s\[])(?P<name>[a-z0-9][a-z0-9-]*)=(?P<value>"(?:[^"\\]|\\.)*"?|[^\s]*)')
# A RouterOS line continuation: a backslash (not itself escaped) at the end, four spaces on the next line.
_CONTINUATION = re.compile(r"(?<!\\)((?:\\\\)*)\\\r?\n {4}")
# The menu path that starts a line: "/container envs", "/container/envs add ...", "/snmp community set ...".
_SECTION = re.compile(r"^\s*/(?P<path>[a-z0-9/ -]*?)(?=\s+(?:[a-z-]+=|\[|\d|\b(?:add|set|remove|print|edit|"
                      r"enable|disable|unset|move|export)\b)|\s*$)")


def is_secret_name(name: str, section: str = "") -> bool:
    """Whether ``name=`` carries a secret, in ``section`` (``container envs``) when that changes the answer."""
    name = name.lower()
    override = SECTION_SECRETS.get(section_of(section) or section, {}).get(name)
    if override is not None:
        return override
    return name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES) or bool(STATIC_KEY.match(name))


def section_of(line: str) -> str | None:
    """The menu a line names, as words (``container envs``), or None when it names none."""
    match = _SECTION.match(line)
    if match is None:
        return None
    return " ".join(match["path"].replace("/", " ").split())


def unwrap(text: str) -> str:
    """The export with each wrapped command joined back onto one line, as RouterOS reads it."""
    return _CONTINUATION.sub(r"\1", text)


def mask_line(line: str, section: str = "") -> str:
    """One logical line with every secret attribute's value replaced by ``********``.

    ``section`` is the menu the line belongs to (the last ``/...`` header before it); a line that starts
    with its own menu path uses that one.
    """
    if line.lstrip().lstrip("+- ").startswith("#"):
        return line
    own = section_of(line.lstrip("+- ") if line[:1] in "+- " else line)
    where = own if own is not None else section

    def _mask(match: re.Match) -> str:
        if not is_secret_name(match["name"], where):
            return match[0]
        quoted = match["value"].startswith('"')
        return f'{match["name"]}=' + (f'"{MASK}"' if quoted else MASK)

    return _ATTRIBUTE.sub(_mask, line)


def sectioned(lines: list[str]) -> list[tuple[str, str]]:
    """Each export line with the menu it belongs to: ``[(section, line)]``."""
    section, result = "", []
    for line in lines:
        own = section_of(line)
        if own is not None:
            section = own
        result.append((section, line))
    return result


def mask(text: str) -> str:
    """Every secret value in an export masked, each line read in its own menu; wrapped lines are joined first."""
    return "\n".join(mask_line(line, section) for section, line in sectioned(unwrap(text).split("\n")))
