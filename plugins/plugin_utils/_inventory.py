# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Pure functions of the sites inventory: site -> host name, host variables, default groups."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable, Optional

FAMILIES = ("status", "model", "version", "tags")
_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_GROUP_UNSAFE = re.compile(r"[^a-z0-9_]+")
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")


def sanitize_host_name(value: Any) -> str:
    """A name usable as an inventory host (and in host patterns): letters, digits, ``.``, ``_``, ``-``."""
    return _HOST_UNSAFE.sub("_", str(value or "")).strip("_.-")


def group_suffix(value: Any) -> str:
    """A value made fit for a group name: lower case, letters, digits and single underscores."""
    return _GROUP_UNSAFE.sub("_", str(value or "").lower()).strip("_")


def preferred_name(site: dict[str, Any], preferences: Iterable[str]) -> Optional[str]:
    """The first field in ``preferences`` that gives a non-empty host name for this site."""
    for field in preferences:
        name = sanitize_host_name(site.get(field))
        if name:
            return name
    return None


def assign_names(sites: list[dict[str, Any]], preferences: list[str]) -> tuple[list[tuple[str, dict]], list[str]]:
    """Name every site; names two sites would share get each site's pid (or id) appended.

    Answers (name, site) pairs and warnings. Every member of a clash is renamed, so names do not depend
    on the order the API lists sites in.
    """
    named = []
    warnings = []
    for site in sites:
        name = preferred_name(site, preferences)
        if name is None:
            warnings.append(f"site {site.get('id')!r} has none of the fields {', '.join(preferences)}; using its id")
            name = sanitize_host_name(site.get("id"))
        named.append((name, site))
    counts = Counter(name for name, _site in named)
    clashing = sorted(name for name, count in counts.items() if count > 1)
    if clashing:
        warnings.append(f"{len(clashing)} host name(s) are shared by several sites ({', '.join(clashing[:5])}"
                        f"{', ...' if len(clashing) > 5 else ''}); each of those sites is named <name>_<pid>")
        named = [(f"{name}_{sanitize_host_name(site.get('pid') or site.get('id'))}" if counts[name] > 1 else name,
                  site) for name, site in named]
    return named, warnings


def host_vars(site: dict[str, Any], prefix: str, tags: Optional[list] = None) -> dict[str, Any]:
    """Every site field under ``prefix``; ``has_pulse`` becomes ``<prefix>online``."""
    variables = {}
    for key, value in site.items():
        variables[prefix + ("online" if key == "has_pulse" else key)] = value
    variables[prefix + "online"] = bool(site.get("has_pulse"))
    if tags is not None:
        variables[prefix + "tags"] = list(tags)
    return variables


def minor_version(version: Any) -> Optional[str]:
    match = _VERSION.match(str(version or ""))
    return f"{match.group(1)}_{match.group(2)}" if match else None


def default_groups(site: dict[str, Any], group: str, families: Iterable[str],
                   tags: Optional[list] = None) -> list[str]:
    """The groups a site belongs to besides ``group`` itself: status, model, RouterOS major.minor, tags."""
    groups = []
    families = set(families)
    if "status" in families:
        groups.append(f"{group}_online" if site.get("has_pulse") else f"{group}_offline")
    if "model" in families and group_suffix(site.get("model")):
        groups.append(f"{group}_model_{group_suffix(site.get('model'))}")
    if "version" in families and minor_version(site.get("software_version")):
        groups.append(f"{group}_version_{minor_version(site.get('software_version'))}")
    if "tags" in families and tags:
        groups.extend(f"{group}_tag_{group_suffix(tag)}" for tag in tags if group_suffix(tag))
    return groups
