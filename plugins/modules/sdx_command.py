#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_command
short_description: Run a synchronous RouterOS command on an SDX site
version_added: 0.1.0
description:
  - Runs one RouterOS API command on a router right now, through SDX's management tunnel
    (C(POST /api/synchronous/{siteId})), and returns what the router answered.
  - Read-only by default. A command whose last path word is not C(print), C(get), C(monitor) or C(export),
    or that uses C(/execute), is refused before any request unless O(allow_write=true). Changes should go
    through M(altostrat.sdx.sdx_async_script), which queues them as tracked, idempotent jobs.
  - The router must be online; for an offline site the task fails and says so.
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.sdx.site
  - altostrat.sdx.attributes
attributes:
  check_mode:
    support: partial
    details:
      - Read-only commands run in check mode too, since they change nothing.
      - Commands allowed by O(allow_write=true) are not sent in check mode; the task predicts a change.
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - Read-only commands never report a change. Write commands always report one; use C(changed_when) to refine it.
options:
  command:
    description:
      - The RouterOS API command path, such as V(/system/resource/print). The CLI form
        V(/system resource print) is accepted too.
    type: str
    required: true
  parameters:
    description: API words for the command, such as V(=.proplist=name,address) or V(?type=ether).
    type: list
    elements: str
  allow_write:
    description: Allow a command that may change the router.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Read the router's resources
  altostrat.sdx.sdx_command:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    command: /system/resource/print
  register: resources

- name: Only the addresses of the bridge
  altostrat.sdx.sdx_command:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    command: /ip/address/print
    parameters:
      - "?interface=bridge"
  register: addresses
"""

RETURN = r"""
output:
  description: The records the router answered, as RouterOS gives them (values are strings).
  returned: success, except for a write command in check mode
  type: list
  elements: dict
  sample:
    - uptime: 3d14h5m
      version: 7.15.1 (stable)
      cpu-load: "3"
      board-name: RB5009
command:
  description: The command as sent, in API path form.
  returned: always
  type: str
  sample: /system/resource/print
"""

from ansible_collections.altostrat.sdx.plugins.module_utils import _commands
from ansible_collections.altostrat.sdx.plugins.module_utils._models import parse_site_id
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule


class CommandModule(SDXModule):
    argument_spec = {
        "site_id": {"type": "str", "required": True},
        "command": {"type": "str", "required": True},
        "parameters": {"type": "list", "elements": "str"},
        "allow_write": {"type": "bool", "default": False},
    }

    def run(self) -> None:
        site_id = parse_site_id(self.params["site_id"])
        command = _commands.normalise(self.params["command"])
        _commands.check_allowed(command, self.params["allow_write"])
        writes = not _commands.is_read_only(command)
        self.result.update(command=command, changed=writes)
        if writes and self.module.check_mode:
            self.result["msg"] = f"would run {command} on site {site_id}"
            return
        self.result["output"] = _commands.run(self.client, site_id, command, self.params["parameters"])


def main() -> None:
    CommandModule(CommandModule.define_module()).execute()


if __name__ == "__main__":
    main()
