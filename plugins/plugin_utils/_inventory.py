# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Pure functions of the sites inventory: site -> host name, host variables, default groups, unsafe marking."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ansible.utils.unsafe_proxy import wrap_var

if TYPE_CHECKING:
    from ansible_collections.altostrat.sdx.plugins.module_utils._models import Site

try:  # ansible-core >= 2.19 templates only strings tagged as trusted
    from ansible.template import trust_as_template
except ImportError:  # older lines template every plain string; AnsibleUnsafe ones never
    def trust_as_template(value):
        return value

FAMILIES = ("status", "model", "version", "tags")
_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_GROUP_UNSAFE = re.compile(r"[^a-z0-9_]+")
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")
JINJA_OVERRIDE_HEADER = "#jinja2:"  # a template starting with it may choose delimiters without braces
# The host variable that holds the site id, set on every host whatever the hostvars_prefix: what the site modules'
# action plugin reads.
SITE_VARIABLE = "sdx_site_id"
# The host variable that holds the site's name likewise: the action plugin names the site by it in failure messages.
SITE_NAME_VARIABLE = "sdx_site_name"


def site_variables(site: Site) -> dict[str, Any]:
    """The variables every host of a site gets whatever the hostvars_prefix: its id and, when it has one, its name."""
    return {SITE_VARIABLE: site.id, **({SITE_NAME_VARIABLE: site.name} if site.name else {})}


def sanitize_host_name(value: Any) -> str:
    """A name usable as an inventory host (and in host patterns): letters, digits, ``.``, ``_``, ``-``."""
    return _HOST_UNSAFE.sub("_", str(value or "")).strip("_.-")


def group_suffix(value: Any) -> str:
    """A value made fit for a group name: lower case, letters, digits and single underscores."""
    return _GROUP_UNSAFE.sub("_", str(value or "").lower()).strip("_")


def site_field(site: Site, field: str) -> Any:
    """A site field by its API name, declared by ``Site`` or not (it keeps the fields it does not declare)."""
    if field in type(site).model_fields:
        return getattr(site, field)
    return (site.model_extra or {}).get(field)


def preferred_name(site: Site, preferences: Iterable[str]) -> Optional[str]:
    """The first field in ``preferences`` that gives a non-empty host name for this site."""
    for field in preferences:
        name = sanitize_host_name(site_field(site, field))
        if name:
            return name
    return None


def assign_names(sites: list[Site], preferences: list[str]) -> tuple[list[tuple[str, Site]], list[str]]:
    """Name every site; names two sites would share get each site's pid (or id) appended.

    Answers (name, site) pairs and warnings. Every member of a clash is renamed, so names do not depend
    on the order the API lists sites in.
    """
    named = []
    warnings = []
    for site in sites:
        name = preferred_name(site, preferences)
        if name is None:
            warnings.append(f"site {site.id!r} has none of the fields {', '.join(preferences)}; using its id")
            name = sanitize_host_name(site.id)
        named.append((name, site))
    counts = Counter(name for name, _site in named)
    clashing = sorted(name for name, count in counts.items() if count > 1)
    if clashing:
        warnings.append(f"{len(clashing)} host name(s) are shared by several sites ({', '.join(clashing[:5])}"
                        f"{', ...' if len(clashing) > 5 else ''}); each of those sites is named <name>_<pid>")
        named = [(f"{name}_{sanitize_host_name(site.pid or site.id)}" if counts[name] > 1 else name, site)
                 for name, site in named]
    return named, warnings


def host_vars(site: Site, prefix: str, tags: Optional[list] = None) -> dict[str, Any]:
    """Every site field under ``prefix``; ``<prefix>online`` holds ``Site.online`` in place of ``has_pulse``."""
    fields = site.model_dump()
    del fields["has_pulse"]
    variables = {prefix + key: value for key, value in fields.items()}
    variables[prefix + "online"] = site.online
    if tags is not None:
        variables[prefix + "tags"] = list(tags)
    return variables


def names_list(names: list[str], shown: int = 5) -> str:
    """``a, b, c`` or ``a, b, c, d, e and 7 more``."""
    names = sorted(names)
    extra = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {extra} more" if extra > 0 else "")


def filter_failure_summary(condition: str, failures: list[tuple[str, str]]) -> str:
    """One warning for a filter that could not be evaluated for some hosts: how many, which, and why."""
    return (f"filter {condition!r} could not be evaluated for {len(failures)} host(s) "
            f"({names_list([host for host, _error in failures])}), which are left out; set strict: true to fail "
            f"instead. First error: {failures[0][1]}")


def tag_failure_summary(failures: list[tuple[str, Optional[int], str]], total: int, prefix: str) -> str:
    """One sentence for every failed tag read, ``failures`` being (host, HTTP status or None, error) triples:
    how many sites, and for each kind of failure how many, which, and the first error's words."""
    kinds: dict[str, list[tuple[str, str]]] = {}
    for host, status, error in failures:
        kinds.setdefault(f"HTTP {status}" if status and status >= 400 else "no usable answer", []).append((host, error))
    reasons = "; ".join(f"{kind} for {len(hosts)} ({names_list([host for host, _error in hosts])}): {hosts[0][1]}"
                        for kind, hosts in sorted(kinds.items()))
    return (f"could not read the tags of {len(failures)} of {total} sites (GET /sites/{{siteId}}/metadata), "
            f"so those hosts have no {prefix}tags and no tag groups: {reasons}")


def minor_version(version: Any) -> Optional[str]:
    match = _VERSION.match(str(version or ""))
    return f"{match.group(1)}_{match.group(2)}" if match else None


def default_groups(site: Site, group: str, families: Iterable[str], tags: Optional[list] = None) -> list[str]:
    """The groups a site belongs to besides ``group`` itself: status, model, RouterOS major.minor, tags."""
    groups = []
    families = set(families)
    if "status" in families:
        groups.append(f"{group}_online" if site.online else f"{group}_offline")
    if "model" in families and group_suffix(site.model):
        groups.append(f"{group}_model_{group_suffix(site.model)}")
    if "version" in families and minor_version(site.software_version):
        groups.append(f"{group}_version_{minor_version(site.software_version)}")
    if "tags" in families and tags:
        groups.extend(f"{group}_tag_{group_suffix(tag)}" for tag in tags if group_suffix(tag))
    return groups


def could_template(text: str) -> bool:
    """Whether Jinja could find a template in ``text``: a brace, or an override header that changes the delimiters."""
    return "{" in text or "}" in text or text.startswith(JINJA_OVERRIDE_HEADER)


def mark_unsafe(value: Any) -> Any:
    """``value`` with every string that could be a template marked unsafe, through lists and dicts.

    Every other string stays a plain string (on ansible-core 2.19 and later: trusted, which is harmless, since
    nothing in it can template), so ``ansible-inventory --list --export`` prints it as a string, as AWX needs.
    """
    if isinstance(value, str):
        return wrap_var(value) if could_template(value) else trust_as_template(value)
    if isinstance(value, dict):
        return {(wrap_var(key) if isinstance(key, str) and could_template(key) else key): mark_unsafe(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mark_unsafe(item) for item in value]
    return value
