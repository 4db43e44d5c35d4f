#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_backup
short_description: Take a configuration backup of an SDX site
version_added: 0.1.0
description:
  - Asks SDX for a new configuration backup of a site (C(POST /backup/{siteId})). SDX answers at once and the
    router exports its configuration in the background.
  - With O(wait=true) (the default) the task then waits until a backup that was not listed before the request
    shows up in the site's list (C(GET /backup/{siteId})), and returns it.
  - With O(max_age), a backup taken less than that many seconds ago counts as present. The task then reports
    C(ok), returns that backup, and requests nothing.
  - An offline router takes no backup. The task then fails when O(wait_timeout) has passed, saying that the
    site is offline; it never hangs.
  - Read the content of a backup, or compare two, with M(altostrat.sdx.sdx_backup_info).
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.sdx.site
  - altostrat.sdx.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the site's backups exactly as a real run does and predicts the same C(changed) result.
      - Never requests a backup and never waits.
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - With O(max_age), a second run reports no change while the newest backup is younger than O(max_age).
      - Without it, every run requests a new backup.
options:
  state:
    description: V(present) makes sure a backup exists (a fresh one, or one younger than O(max_age)).
    type: str
    choices: [present]
    default: present
  max_age:
    description:
      - Seconds. When the site's newest backup was taken less than this long ago, it counts as present and no
        backup is requested.
      - Ages are measured with the controller's clock against the backup's C(created_at).
      - Without it, a backup is requested on every run.
    type: float
  wait:
    description:
      - Wait until the requested backup is listed, and return it.
      - Without waiting, the task returns as soon as SDX has accepted the request, with RV(backup=null).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the new backup when O(wait=true).
    type: float
    default: 120
  poll_interval:
    description: Seconds between two reads of the site's backup list while waiting.
    type: float
    default: 5
notes:
  - A request costs one read of the list, one C(POST), and one read per O(poll_interval) until the backup shows
    up; with the default interval that is usually one or two reads. SDX allows 60 requests a minute.
seealso:
  - module: altostrat.sdx.sdx_backup_info
  - name: Request a new backup (SDX API)
    description: The API endpoint this module calls.
    link: https://altostrat.io/docs/api/en/backups/request-a-new-backup
"""

EXAMPLES = r"""
- name: Back up the router before a change, unless a backup from the last hour exists
  altostrat.sdx.sdx_backup:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    max_age: 3600
  register: backup

- name: Back up every online site of the inventory, without waiting
  altostrat.sdx.sdx_backup:
    wait: false
  when: sdx_online | bool
"""

RETURN = r"""
backup:
  description:
    - The backup that is present, as SDX lists it; the new one after a request, or the young enough one
      O(max_age) found.
    - V(null) in check mode when a backup would be requested, and with O(wait=false).
  returned: always
  type: dict
  contains:
    filename:
      description: Its name in SDX, the UNIX timestamp it was taken at with C(.rsc).
      type: str
      sample: 1732567800.rsc
    size:
      description: Human-readable size.
      type: str
      sample: 12.3KB
    date:
      description: Date it was taken, as SDX formats it.
      type: str
      sample: 29/10/2025
    time:
      description: Time it was taken, as SDX formats it.
      type: str
      sample: "12:50:00"
    created_at:
      description: When it was taken (ISO 8601).
      type: str
      sample: "2025-10-29T12:50:00.000000Z"
requested:
  description: Whether this run requested (or in check mode would request) a backup.
  returned: always
  type: bool
error:
  description: The API error, when the task failed on one (C(status), C(type), C(code), C(message), C(doc_url)).
  returned: failure
  type: dict
"""

from ansible_collections.altostrat.sdx.plugins.module_utils import _backups
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import parse_site_id
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._numbers import seconds
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI


class BackupModule(SDXModule):
    argument_spec = {
        "site_id": {"type": "str", "required": True},
        "state": {"type": "str", "choices": ["present"], "default": "present"},
        "max_age": {"type": "float"},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "float", "default": 120},
        "poll_interval": {"type": "float", "default": 5},
    }

    def run(self) -> None:
        site_id = parse_site_id(self.params["site_id"])
        self._check_numbers()
        self.result.update(backup=None, requested=False)
        site = self.site(site_id)
        backups = _backups.list_backups(site)
        present = self._young_enough(backups)
        if present is not None:
            self.result.update(backup=present.metadata(), msg=f"backup {present.filename} is younger than max_age")
            return
        self.result.update(changed=True, requested=True)
        if self.module.check_mode:
            self.result["msg"] = f"would request a backup of site {site_id}"
            return
        known = {backup.filename for backup in backups}
        try:
            site.request_backup()
        except SDXError as error:
            if not error.ambiguous or not self.params["wait"]:
                self.result.update(changed=False, requested=False)
                if error.ambiguous:
                    error.with_context("the backup request may or may not have reached SDX; running the task "
                                       "again is safe, since a second backup does no harm")
                raise
            # The request may have landed: a new backup showing up below settles it.
        if not self.params["wait"]:
            self.result["msg"] = f"requested a backup of site {site_id}"
            return
        self._wait(site, known)

    def _check_numbers(self) -> None:
        for name in ("wait_timeout", "poll_interval"):
            self.params[name] = seconds(name, self.params[name])
        if self.params["max_age"] is not None:
            self.params["max_age"] = seconds("max_age", self.params["max_age"])

    def _young_enough(self, backups):
        max_age = self.params["max_age"]
        if max_age is None or not backups:
            return None
        age = _backups.age(backups[0])
        return backups[0] if age is not None and age <= max_age else None

    def _wait(self, site: SiteAPI, known: set) -> None:
        backup = _backups.wait_for_new(site, known, self.params["wait_timeout"], self.params["poll_interval"])
        if backup is not None:
            self.result.update(backup=backup.metadata(), msg=f"backup {backup.filename} taken")
            return
        info = site.info()
        why = "the site is offline, and an offline router takes no backup" if info and not info.online else (
            "check the site in SDX; re-running requests another backup")
        self.module.fail_json(msg=f"no new backup of site {site.id} was listed within "
                                  f"{self.params['wait_timeout']:g} seconds: {why}", **self.result)


def main() -> None:
    BackupModule(BackupModule.define_module()).execute()


if __name__ == "__main__":
    main()
