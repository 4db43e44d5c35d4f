# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Sites: the fleet in one request, one site by id, client-side filters."""

from __future__ import annotations

import fnmatch
from typing import Optional

from ._client import SDXClient
from ._errors import SDXError
from ._models import Site, parse_answer, parse_items

GLOB_CHARACTERS = frozenset("*?[")


def list_sites(client: SDXClient) -> list[Site]:
    """Every site; SDXError naming the endpoint when an item is not a site."""
    return parse_items(Site, client.get_list("sites"), f"GET {client.url('sites')}")


def get_site(client: SDXClient, site_id: str) -> Optional[Site]:
    """One site, or None when SDX does not know it."""
    path = f"sites/{site_id}"
    try:
        answer = client.get(path)
    except SDXError as error:
        if error.status == 404:
            return None
        raise
    return parse_answer(Site, answer, f"GET {client.url(path)}")


def site_tags(client: SDXClient, site_id: str) -> list[str]:
    """A site's tags from its metadata; ``{key, value}`` tags become ``key:value``.

    Raises SDXError when the answer is not the documented metadata object, rather than guess.
    """
    path = f"sites/{site_id}/metadata"
    metadata = client.get(path) or {}
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    if not isinstance(metadata, dict) or not isinstance(tags, (list, type(None))):
        found = f"tags of type {type(tags).__name__}" if isinstance(metadata, dict) else type(metadata).__name__
        raise SDXError(f"SDX answered GET {path} with {found}, not the documented metadata: an object whose tags "
                       "is a list")
    result = []
    for tag in tags or []:
        if isinstance(tag, dict):
            key, value = tag.get("key") or tag.get("name"), tag.get("value")
            tag = f"{key}:{value}" if key and value is not None else key
        if tag:
            result.append(str(tag))
    return result


def name_matches(site: Site, name: str) -> bool:
    """Exact name, or a shell-style pattern when ``name`` holds ``*``, ``?`` or ``[``."""
    actual = site.name or ""
    if GLOB_CHARACTERS & set(name):
        return fnmatch.fnmatchcase(actual, name)
    return actual == name


def select(sites: list[Site], name: Optional[str] = None, online: Optional[bool] = None) -> list[Site]:
    return [site for site in sites
            if (name is None or name_matches(site, name)) and (online is None or site.online is online)]
