# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Sites: the fleet in one request, client-side filters, and each site's tags for the inventory."""

from __future__ import annotations

import fnmatch
from typing import Optional

from ._client import SDXClient
from ._models import Site, parse_items
from ._site import SiteAPI

GLOB_CHARACTERS = frozenset("*?[")


def list_sites(client: SDXClient) -> list[Site]:
    """Every site; SDXError naming the endpoint when an item is not a site."""
    return parse_items(Site, client.get_list("sites"), f"GET {client.url('sites')}")


def site_tags(client: SDXClient, site_id: str) -> list[str]:
    """A site's tags (see ``SiteAPI.tags``)."""
    return SiteAPI(client, site_id).tags()


def name_matches(site: Site, name: str) -> bool:
    """Exact name, or a shell-style pattern when ``name`` holds ``*``, ``?`` or ``[``."""
    actual = site.name or ""
    if GLOB_CHARACTERS & set(name):
        return fnmatch.fnmatchcase(actual, name)
    return actual == name


def select(sites: list[Site], name: Optional[str] = None, online: Optional[bool] = None) -> list[Site]:
    return [site for site in sites
            if (name is None or name_matches(site, name)) and (online is None or site.online is online)]
