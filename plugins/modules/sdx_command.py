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
  - The command is a RouterOS API path (V(/word/word/...)). Arguments and filters are API words, passed through
    O(parameters) exactly as given; the command itself never carries them.
  - Read-only by default. A command runs only when its last word is V(print), V(get), V(monitor) or V(export),
    no word of it is a write verb (such as V(add), V(set), V(remove), V(reboot), V(execute) or V(fetch)), and no
    parameter names a script or a file argument (V(do), V(file), V(on-error), V(on-event), V(script) or
    V(source), in any shape such as V(=do=), V(do=), quoted or upper case; V(monitor do=) and V(print do=) run
    a script, V(print file=) and V(export file=) write a file). Anything else is refused before
    any request, in check mode too, unless O(allow_write=true). Changes should go through
    M(altostrat.sdx.sdx_async_script), which queues them as tracked, idempotent jobs.
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
      - The RouterOS API command path, such as V(/system/resource/print). Each word holds only lower-case
        letters, digits and V(-).
      - The CLI form V(/system resource print) is accepted too; only its path words are translated. One condition
        after V(print), as in V(/ip address print where address=192.168.99.1/24), becomes the query word
        V(?address=192.168.99.1/24).
      - The print flags V(detail), V(terse), V(count-only), V(without-paging) and V(as-value) may follow V(print),
        before any V(where), as in V(/ip address print detail where interface=bridge). The API always answers
        every record's properties as values, so the flags that only lay out the CLI's text are not sent;
        with V(count-only) the task also returns RV(count).
      - Anything else (V(;), a line break, quotes, V(name=value) arguments, other V(where) syntax) is refused with
        a message that shows the same command with its words in O(parameters).
    type: str
    required: true
  parameters:
    description:
      - API words for the command, such as V(=.proplist=name,address) or V(?type=ether). They reach the API
        exactly as given.
      - A string is sent as a JSON string, the shape that the documentation of C(POST /api/synchronous/{siteId})
        gives; it holds one word. A list of strings is sent as a JSON array of words, the shape of the older
        C(/sites/{siteId}/commands/synchronous) documentation, for an API that expects it or for several words.
        See the API decisions in the collection's docs.
    type: raw
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
    parameters: "?interface=bridge"
  register: addresses

- name: The same filter, written as on the RouterOS command line
  altostrat.sdx.sdx_command:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    command: /ip address print detail where interface=bridge
  register: addresses

- name: How many addresses the router has
  altostrat.sdx.sdx_command:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    command: /ip address print count-only
  register: address_count
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
  sample: /ip/address/print
count:
  description: How many records the router answered, as the CLI's C(print count-only) shows it.
  returned: when the command has the print flag C(count-only)
  type: int
  sample: 2
parameters:
  description: The parameters as sent (a string or a list of strings), including the query word a C(where) became.
  returned: when the command has parameters
  type: raw
  sample: "?interface=bridge"
"""

from ansible_collections.altostrat.sdx.plugins.module_utils import _commands
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule


class CommandModule(SDXModule):
    argument_spec = {
        "command": {"type": "str", "required": True},
        "parameters": {"type": "raw"},
        "allow_write": {"type": "bool", "default": False},
    }

    def run(self) -> None:
        site_id = self.site_id
        command = _commands.parse(self.params["command"])
        parameters = _commands.wire_parameters(command, _commands.check_parameters(self.params["parameters"]))
        writes = _commands.writes(command, parameters, self.params["allow_write"])
        self.result.update(command=command.path, changed=writes)
        if parameters is not None:
            self.result["parameters"] = parameters
        if writes and self.module.check_mode:
            self.result["msg"] = f"would run {command.path} on site {site_id}"
            return
        self.result["output"] = self.site(site_id).run_command(command.path, parameters)
        if command.count_only:
            self.result["count"] = len(self.result["output"])


def main() -> None:
    CommandModule.main()


if __name__ == "__main__":
    main()
