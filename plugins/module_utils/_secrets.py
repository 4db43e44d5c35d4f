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

# name=value, where value is a quoted string (backslash escapes allowed) or runs to the next space.
_ATTRIBUTE = re.compile(r'(?<![^\s])(?P<name>[a-z0-9][a-z0-9-]*)=(?P<value>"(?:[^"\\]|\\.)*"?|[^\s]*)')
# A RouterOS line continuation: a backslash (not itself escaped) at the end, four spaces on the next line.
_CONTINUATION = re.compile(r"(?<!\\)((?:\\\\)*)\\\r?\n {4}")


def is_secret_name(name: str) -> bool:
    name = name.lower()
    return name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES) or bool(STATIC_KEY.match(name))


def unwrap(text: str) -> str:
    """The export with each wrapped command joined back onto one line, as RouterOS reads it."""
    return _CONTINUATION.sub(r"\1", text)


def _mask_match(match: re.Match) -> str:
    if not is_secret_name(match["name"]):
        return match[0]
    quoted = match["value"].startswith('"')
    return f'{match["name"]}=' + (f'"{MASK}"' if quoted else MASK)


def mask_line(line: str) -> str:
    """One logical line with every secret attribute's value replaced by ``********``."""
    if line.lstrip().startswith("#"):
        return line
    return _ATTRIBUTE.sub(_mask_match, line)


def mask(text: str) -> str:
    """Every secret value in an export (or a diff of one) masked; wrapped lines are joined first."""
    return "\n".join(mask_line(line) for line in unwrap(text).split("\n"))
