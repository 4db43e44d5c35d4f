#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_site_info
short_description: List SDX sites, or get one
version_added: 0.1.0
description:
  - Lists the sites (MikroTik routers) of the SDX organisation with one C(GET /sites), or gets one site by
    O(site_id) with C(GET /sites/{siteId}).
  - O(name) and O(online) filter the list on the controller.
  - When the task runs on a host of the P(altostrat.sdx.sites#inventory) inventory and neither O(site_id) nor O(name)
    is given, O(site_id) is taken from the host variable C(sdx_site_id) (set whatever the inventory's
    O(altostrat.sdx.sites#inventory:hostvars_prefix) is), so the task describes that host's site.
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.attributes
  - altostrat.sdx.attributes.info_module
options:
  site_id:
    description: UUID of one site to get. An unknown id gives an empty O(ignore:sites) list.
    type: str
  name:
    description:
      - Only sites with this exact name.
      - A shell-style pattern when it holds C(*), C(?) or C([), for example V(branch-*).
    type: str
  online:
    description: Only online sites (V(true)) or only offline ones (V(false)). The online flag is C(has_pulse).
    type: bool
"""

EXAMPLES = r"""
- name: List every site
  altostrat.sdx.sdx_site_info:
  register: fleet

- name: Offline branches
  altostrat.sdx.sdx_site_info:
    name: branch-*
    online: false
  register: offline

- name: One site by id
  altostrat.sdx.sdx_site_info:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
  register: one
"""

RETURN = r"""
sites:
  description: The matching sites, with the API's field names.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Site UUID, the id every per-site call takes.
      type: str
    pid:
      description: Display id (C(site_...)).
      type: str
    name:
      description: Site name.
      type: str
    has_pulse:
      description: Whether the router is online (sends heartbeats).
      type: bool
    model:
      description: Router model.
      type: str
    software_version:
      description: RouterOS version.
      type: str
  sample:
    - id: 9c69345c-8d39-4786-9f17-8153c988c89a
      pid: site_2m3h5n7k9j8g7f6e5d4c3b2a1
      name: branch-0001
      has_pulse: true
      model: RB5009UG+S+
      software_version: 7.15.1
"""

from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI, select
from ansible_collections.altostrat.sdx.plugins.module_utils._models import parse_site_id
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule


class SiteInfoModule(SDXModule):
    argument_spec = {
        "site_id": {"type": "str"},
        "name": {"type": "str"},
        "online": {"type": "bool"},
    }

    def run(self) -> None:
        site_id = self.params["site_id"]
        if site_id:
            site = self.site(parse_site_id(site_id)).info()
            sites = [site] if site else []
        else:
            sites = FleetAPI(self.client).sites()
        chosen = select(sites, name=self.params["name"], online=self.params["online"])
        self.result["sites"] = [site.model_dump() for site in chosen]


def main() -> None:
    SiteInfoModule(SiteInfoModule.define_module()).execute()


if __name__ == "__main__":
    main()
