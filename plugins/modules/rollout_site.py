#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_site
short_description: Roll a change out to the SDX site of this host, in one task, and record the outcome
version_added: 0.1.0
description:
  - The per-site step of the R(altostrat.sdx.script_rollout role,ansible_collections.altostrat.sdx.script_rollout_role)
    and the C(altostrat.sdx.rollout) playbook, in one task so that a rollout prints one line per site and batch.
  - Reads the site with M(altostrat.sdx.sdx_site_info); an offline site is C(skipped_offline), or C(failed) with
    O(skip_offline=false). Then either queues O(script) with M(altostrat.sdx.sdx_async_script) (idempotent, waited
    for and acknowledged) and runs the read-only O(verify_command) with M(altostrat.sdx.sdx_command), or applies the
    declarative O(config) with M(altostrat.sdx.sdx_config). Each runs as its own task would.
  - Returns the site's rollout result, whose C(status) and C(message) are decided by the
    P(altostrat.sdx.rollout_result#filter) filter. A site that failed fails the task, with that message; the role
    ignores the failure and records it.
  - This module is an action plugin; it runs on the controller and needs no Python on a target.
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - It is only an action plugin, which runs on the controller.
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Queues nothing; the site reports C(queued) (would queue) or C(unchanged).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - Shows the script queued, or the commands a declarative change needs.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
options:
  site_id:
    description: The site's UUID; defaults to the host variable C(sdx_site_id), which the inventory sets.
    type: str
  description:
    description: Description of the job; with a script, what makes a re-run recognise the job as done.
    type: str
    required: true
  script:
    description: The RouterOS script to queue. Give this or O(config).
    type: str
    default: ""
  config:
    description:
      - A declarative change (C(path), C(data), C(state), C(keys)), as M(altostrat.sdx.sdx_config) takes it, instead of
        O(script). Checked against the RouterOS data model before any request.
    type: dict
    default: {}
  make_backup:
    description: Have SDX back up the router's configuration before the job runs.
    type: bool
    default: true
  wait:
    description: Wait for the job to complete; without waiting, the site is C(queued) and not verified.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the job.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two reads of the job while waiting.
    type: float
    default: 5
  skip_offline:
    description: Report an offline site as C(skipped_offline) instead of failing it.
    type: bool
    default: true
  verify_command:
    description: A read-only RouterOS command run after the script's job completed, such as C(/ip/address/print).
    type: str
    default: ""
  verify_expect:
    description: A regular expression the verify command's output (as JSON) must match, or the site failed.
    type: str
    default: ""
  force:
    description: Queue the script even where an equal job already ran.
    type: bool
    default: false
  config_diff:
    description:
      - Record what the script's job changed on the router (C(config_diff)); needs O(make_backup) and O(wait), and a
        script.
    type: bool
    default: false
  confirm_timeout:
    description:
      - Apply the change with an automatic revert, as O(altostrat.sdx.sdx_async_script#module:confirm_timeout) and
        O(altostrat.sdx.sdx_config#module:confirm_timeout) do; a duration from V(1m) to V(24h) such as V(5m). Off when
        empty.
      - A site whose change cut it off from SDX, and whose revert ran, is C(reverted); one where the module cannot tell
        is C(unknown). Both fail the task. A confirmed site is C(completed).
      - With O(script), give exactly one of O(revert_script) and O(revert_to_backup); with O(config), neither (the
        revert is computed). Needs O(wait).
    type: str
    default: ""
  revert_script:
    description: With O(confirm_timeout) and O(script), the RouterOS commands that undo the script.
    type: str
    default: ""
  revert_to_backup:
    description:
      - With O(confirm_timeout) and O(script), revert by loading a binary backup the same job takes first.
        B(Loading it reboots the router.)
    type: bool
    default: false
  stopped:
    description:
      - Set when an earlier batch failed beyond this percentage; the site is then left alone and recorded as
        C(not_run), with no request.
    type: int
notes:
  - The connection options, given or from C(module_defaults) of the group C(altostrat.sdx.sdx), are passed on to every
    module it runs; C(module_defaults) of those modules themselves are not read.
seealso:
  - module: altostrat.sdx.sdx_async_script
  - module: altostrat.sdx.sdx_config
  - plugin: altostrat.sdx.rollout_result
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Roll a script out to this site
  altostrat.sdx.rollout_site:
    description: CHG-1234 NTP servers
    script: /system ntp client set enabled=yes servers=162.159.200.1
    verify_command: /system/ntp/client/print
    verify_expect: enabled
  register: site_result
  ignore_errors: true  # a failed site is recorded in site_result.rollout.status
"""

RETURN = r"""
rollout:
  description:
    - The site's rollout result, as the P(altostrat.sdx.rollout_result#filter) filter builds it; the
      P(altostrat.sdx.rollout_report#filter) filter reads it from the registered result.
  returned: always
  type: dict
  contains:
    site:
      description: The host's name.
      type: str
    site_id:
      description: The site's UUID.
      type: str
    status:
      description:
        - C(completed), C(unchanged), C(queued), C(skipped_offline), C(failed), C(reverted), C(unknown) or C(not_run).
      type: str
      sample: completed
    message:
      description: What happened, and for a failed site what to do next.
      type: str
    changed:
      description: Whether a job was queued for the site.
      type: bool
    job_id:
      description: The site's job, or null when it has none.
      type: str
    queued:
      description: When the job was queued (ISO 8601), or null.
      type: str
    started:
      description: When the job started, or null.
      type: str
    finished:
      description: When the job completed or failed, or null.
      type: str
    commands:
      description: The commands a declarative change needed on this site (with O(config)).
      type: list
      elements: str
    config_diff:
      description: What the job changed on the router, as a unified diff, secrets masked (with O(config_diff)).
      type: str
"""
