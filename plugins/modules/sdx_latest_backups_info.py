#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_latest_backups_info
short_description: The newest configuration backup of many SDX sites, 50 sites a request
version_added: 0.1.0
description:
  - Returns the newest configuration backup of each site in O(site_ids), with its content (the router's
    RouterOS C(/export)) and its age, for example to audit a fleet from its backups with
    M(altostrat.sdx.sdx_config) and O(altostrat.sdx.sdx_config#module:state=parsed), or with the
    C(altostrat.sdx.drift) playbook.
  - Reads 50 sites a request through the bulk endpoint C(POST /backups/latest). SDX documents that endpoint on
    its older API host only; the first batch checks that the host in use serves it. When that batch answers 404
    or 405, the task warns, naming the assumption, and reads each site on its own instead
    (C(GET /backup/{siteId}), then its newest file, so two requests a site).
  - Secret values in the content (C(password=), C(secret=), pre-shared keys and the like) are replaced by
    C(********).
  - Run it once for the fleet (with C(run_once)), not once per host.
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.attributes
  - altostrat.sdx.attributes.info_module
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - The action plugin checks the options and runs the whole module itself when the task would run it in the
        controller's own Python; otherwise it runs the module as a module process. It takes no site from the host.
options:
  site_ids:
    description:
      - UUIDs of the SDX sites. A duplicate is read once.
      - Over the P(altostrat.sdx.sites#inventory) inventory, C("{{ ansible_play_hosts | map('extract', hostvars,
        'sdx_site_id') | list }}").
    type: list
    elements: str
    required: true
  bulk:
    description:
      - Use the bulk endpoint C(POST /backups/latest) (50 sites a request), falling back to two requests a site,
        with a warning, when the API host does not serve it.
      - V(false) reads each site on its own from the start (the documented C(GET /backup/{siteId}) endpoints).
    type: bool
    default: true
notes:
  - 800 sites cost 16 requests through the bulk endpoint, 1600 without it.
  - A site without any backup, or one SDX does not know, is listed in RV(missing), not failed.
seealso:
  - module: altostrat.sdx.sdx_backup_info
  - module: altostrat.sdx.sdx_config
"""

EXAMPLES = r"""
- name: The newest backup of every site in play, read once for all of them
  altostrat.sdx.sdx_latest_backups_info:
    site_ids: "{{ ansible_play_hosts | map('extract', hostvars, 'sdx_site_id') | list }}"
  run_once: true
  delegate_to: localhost
  register: latest

- name: The addresses each router held when its backup was taken, with no request to the routers
  altostrat.sdx.sdx_config:
    path: ip address
    state: parsed
    running_config: "{{ latest.backups[sdx_site_id].content }}"
  when: sdx_site_id in latest.backups
  delegate_to: localhost
"""

RETURN = r"""
backups:
  description: Each site's newest backup, keyed by site id, with its content (secrets masked) and age.
  returned: always
  type: dict
  sample:
    9c69345c-8d39-4786-9f17-8153c988c89a:
      filename: "1732567800.rsc"
      created_at: "2024-11-25T20:50:00.000000Z"
      age_seconds: 86400.0
      size: 12.3KB
      content: "# 2024-11-25 20:50:00 by RouterOS 7.16\n/ip address\nadd address=10.0.0.1/24 interface=bridge\n"
missing:
  description: The sites with no backup to read, keyed by site id, each with the API's C(code) and C(message).
  returned: always
  type: dict
  sample: {"0c5c6a9e-2f0a-4c1e-9d1c-7b1d4e0f3a11": {code: no_backups, message: "Site has no backups yet."}}
bulk:
  description: Whether the bulk endpoint answered (V(false) after the fallback, or with O(bulk=false)).
  returned: always
  type: bool
requests:
  description: How many API requests the task made (retries of one request not counted).
  returned: always
  type: int
"""

import time

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_backups import latest_backups
from ansible_collections.altostrat.sdx.plugins.module_utils._models import parse_site_id
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._secrets import mask


class LatestBackupsInfoModule(SDXModule):
    argument_spec = {
        "site_ids": {"type": "list", "elements": "str", "required": True},
        "bulk": {"type": "bool", "default": True},
    }
    # It reads the sites it is given, not the host's.
    takes_site = "none"

    def run(self) -> None:
        site_ids = [parse_site_id(value, f"site_ids[{index}]") for index, value in enumerate(self.params["site_ids"])]
        if not site_ids:
            raise SDXInputError("site_ids: expected at least one site id")
        found = latest_backups(self.client, site_ids, self.params["bulk"])
        if found.warning:
            self.module.warn(found.warning)
        now = time.time()
        self.result.update(
            backups={site_id: {**backup.metadata(), "content": mask(backup.content or ""),
                               "age_seconds": None if backup.timestamp is None else round(now - backup.timestamp, 1)}
                     for site_id, backup in found.backups.items()},
            missing=found.missing, bulk=found.bulk, requests=found.requests)


def main() -> None:
    LatestBackupsInfoModule.main()


if __name__ == "__main__":
    main()
