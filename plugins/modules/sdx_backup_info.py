#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_backup_info
short_description: List the configuration backups of an SDX site, read one, compare two
version_added: 0.1.0
description:
  - Lists a site's configuration backups, newest first (C(GET /backup/{siteId})).
  - With O(filename) or O(latest=true), also returns that backup's content, the RouterOS export
    (C(GET /backup/{siteId}/{filename})).
  - With O(compare_to), also returns the unified diff from that backup to the selected one. The diff is
    computed on the controller; the export's time-stamp line is left out, and lines RouterOS wraps are joined
    first, so the diff shows the configuration lines that changed.
  - Secret values (C(password=), C(secret=), C(passphrase=), C(*-pre-shared-key=), C(private-key=),
    C(authentication-password=), C(encryption-password=) and the like) are replaced by C(********) in the
    content and the diff, unless O(reveal_secrets=true). A secret that changed still shows as a changed line.
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.sdx.site
  - altostrat.sdx.attributes
  - altostrat.sdx.attributes.info_module
options:
  filename:
    description: The backup to read, as listed, such as V(1732567800.rsc).
    type: str
  latest:
    description: Read the newest backup.
    type: bool
    default: false
  compare_to:
    description:
      - Also return the unified diff from this backup to the one O(filename) or O(latest) selects.
      - A filename as listed, or V(previous) for the backup listed just before the selected one.
    type: str
  reveal_secrets:
    description:
      - Return secret values as they are in the export instead of C(********).
      - The result then holds secrets. Set C(no_log) on the task, and register the result, to keep them out
        of the output.
    type: bool
    default: false
notes:
  - Reading one backup costs two requests (the list and the content); comparing two costs three.
seealso:
  - module: altostrat.sdx.sdx_backup
  - name: Retrieve a specific backup (SDX API)
    description: The API endpoint this module calls for content.
    link: https://altostrat.io/docs/api/en/backups/retrieve-a-specific-backup
"""

EXAMPLES = r"""
- name: List a site's backups
  altostrat.sdx.sdx_backup_info:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
  register: listed

- name: What changed in the newest backup, compared to the one before it
  altostrat.sdx.sdx_backup_info:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    latest: true
    compare_to: previous
  register: changes

- name: Keep the unmasked export in a variable, out of the output
  altostrat.sdx.sdx_backup_info:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    filename: "1732567800.rsc"
    reveal_secrets: true
  register: full_export
  no_log: true
"""

RETURN = r"""
backups:
  description: The site's backups, newest first, as SDX lists them.
  returned: always
  type: list
  elements: dict
  contains:
    filename:
      description: Its name in SDX, the UNIX timestamp it was taken at with C(.rsc).
      type: str
    size:
      description: Human-readable size.
      type: str
    date:
      description: Date it was taken, as SDX formats it.
      type: str
    time:
      description: Time it was taken, as SDX formats it.
      type: str
    created_at:
      description: When it was taken (ISO 8601).
      type: str
  sample:
    - {filename: 1732567800.rsc, size: 12.3KB, date: 25/11/2024, time: "20:50:00",
       created_at: "2024-11-25T20:50:00.000000Z"}
backup:
  description: The selected backup, its listed fields plus C(content), secrets masked unless O(reveal_secrets=true).
  returned: when O(filename) or O(latest=true) selects a backup
  type: dict
  sample:
    filename: 1732567800.rsc
    content: "/ppp secret\nadd name=vpn-user1 password=******** service=l2tp\n"
compared_to:
  description: The listed fields of the O(compare_to) backup.
  returned: when O(compare_to) is set
  type: dict
config_diff:
  description:
    - Unified diff from the O(compare_to) backup to the selected one; empty when the configuration is the same.
    - Secret values masked unless O(reveal_secrets=true).
  returned: when O(compare_to) is set
  type: str
  sample: "--- 1732481400.rsc\n+++ 1732567800.rsc\n@@ -8,2 +8,3 @@\n /ip address\n+add address=192.168.99.1/24 \
    interface=bridge\n"
"""

from ansible_collections.altostrat.sdx.plugins.module_utils import _backups
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError, SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._secrets import mask

PREVIOUS = "previous"


class BackupInfoModule(SDXModule):
    argument_spec = {
        "filename": {"type": "str"},
        "latest": {"type": "bool", "default": False},
        "compare_to": {"type": "str"},
        "reveal_secrets": {"type": "bool", "default": False},
    }
    module_kwargs = {"supports_check_mode": True, "mutually_exclusive": [("filename", "latest")]}

    def run(self) -> None:
        site_id = self.site_id
        filename = self.params["filename"]
        if filename is not None:
            filename = _backups.parse_filename(filename, "filename")
        compare_to = self.params["compare_to"]
        if compare_to is not None and compare_to != PREVIOUS:
            compare_to = _backups.parse_filename(compare_to, "compare_to")
        if compare_to is not None and filename is None and not self.params["latest"]:
            raise SDXInputError("compare_to: needs a backup to compare with; set filename, or latest=true")
        site = self.site(site_id)
        backups = _backups.list_backups(site)
        self.result["backups"] = [backup.metadata() for backup in backups]
        if filename is None and not self.params["latest"]:
            return
        selected = self._select(backups, filename, site_id)
        current = site.backup(selected.filename)
        reveal = self.params["reveal_secrets"]
        self.result["backup"] = {**current.metadata(),
                                 "content": current.content if reveal else mask(current.content or "")}
        if compare_to is not None:
            older = self._compared(backups, selected, compare_to, site_id)
            before = site.backup(older.filename)
            self.result["compared_to"] = older.metadata()
            self.result["config_diff"] = _backups.unified_diff(before.content or "", current.content or "",
                                                               older.filename, selected.filename, reveal)
        if reveal and not self.module.no_log:
            self.module.warn("reveal_secrets: the result holds the router's secrets; set no_log: true on the task")

    @staticmethod
    def _select(backups, filename, site_id: str, field: str = "filename"):
        if filename is None:
            if not backups:
                raise SDXError(f"site {site_id!r} has no backups yet; request one with altostrat.sdx.sdx_backup")
            return backups[0]
        found = next((backup for backup in backups if backup.filename == filename), None)
        if found is None:
            raise SDXError(f"{field}: site {site_id!r} lists no backup {filename!r}", status=404,
                           code="resource_missing")
        return found

    @staticmethod
    def _compared(backups, selected, compare_to: str, site_id: str):
        if compare_to != PREVIOUS:
            return BackupInfoModule._select(backups, compare_to, site_id, "compare_to")
        index = backups.index(selected)
        if index + 1 >= len(backups):
            raise SDXError(f"compare_to: backup {selected.filename} is the oldest of site {site_id!r}; "
                           f"there is no previous one")
        return backups[index + 1]


def main() -> None:
    BackupInfoModule.main()


if __name__ == "__main__":
    main()
