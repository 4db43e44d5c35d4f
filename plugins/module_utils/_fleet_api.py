# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The fleet layer, beside the site layer: every site of the API in one list, client-side filters, and the way to
one site's endpoints (``SiteAPI``). The modules, the inventory and the event sources all read the fleet here."""

from __future__ import annotations

import fnmatch
from typing import Optional

from ._client import SDXClient
from ._models import Site, parse_items
from ._site_api import SiteAPI

GLOB_CHARACTERS = frozenset("*?[")
SITES_PATH = "sites"


class FleetAPI:
    """The sites one client can see. Errors keep the API's status, type, code and message."""

    def __init__(self, client: SDXClient) -> None:
        self.client = client

    def sites(self) -> list[Site]:
        """Every site (``GET /sites``, every page); SDXError naming the endpoint when an item is not a site."""
        return parse_items(Site, self.client.get_list(SITES_PATH), self.client.endpoint("GET", SITES_PATH))

    def site(self, site_id: str) -> SiteAPI:
        """One site's endpoints (tags, jobs, backups...), with its 404s worded by the site layer."""
        return SiteAPI(self.client, site_id)

    @property
    def rate_limit(self) -> Optional[int]:
        """Requests a minute of the shared rate budget these reads spend, or None when the budget is off."""
        budget = self.client.budget
        return budget.per_minute if budget is not None else None


def name_matches(site: Site, name: str) -> bool:
    """Exact name, or a shell-style pattern when ``name`` holds ``*``, ``?`` or ``[``."""
    actual = site.name or ""
    if GLOB_CHARACTERS & set(name):
        return fnmatch.fnmatchcase(actual, name)
    return actual == name


def select(sites: list[Site], name: Optional[str] = None, online: Optional[bool] = None) -> list[Site]:
    return [site for site in sites
            if (name is None or name_matches(site, name)) and (online is None or site.online is online)]
