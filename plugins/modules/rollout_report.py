#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_report
short_description: Print a rollout report as a plain-text table and write it as JSON and JUnit XML
version_added: 0.1.0
description:
  - Takes a report built by the P(altostrat.sdx.rollout_report#filter) filter and prints it as a plain-text table
    (site, status, job, duration, message, then the counts and the groups of sites), the way the
    C(altostrat.sdx.rollout) playbook ends.
  - Writes, in O(dest) on the controller, the run's own C(rollout-report-<UTC time>.json) and C(.xml) (JUnit), which
    later runs never overwrite, and copies them to C(rollout-report.json) and C(rollout-report.xml), the latest run's.
    The reports are written in check mode too; they are the run's output, not a change to review, and show no diff.
  - Hands the counts to AWX as the artifacts C(rollout_counts) and C(rollout_stopped), as M(ansible.builtin.set_stats)
    would.
  - Fails when a site failed or the rollout stopped, naming the report, so the run's exit code tells the truth.
  - This module is an action plugin; it runs on the controller.
author:
  - Altostrat SDX collection maintainers (@altostrat)
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
      - Writes the reports in check mode too.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: none
    details:
      - Each run writes a report of its own.
options:
  report:
    description: The report, as the P(altostrat.sdx.rollout_report#filter) filter builds it.
    type: dict
    required: true
  dest:
    description: Directory of the reports on the controller, created if missing.
    type: path
    required: true
seealso:
  - plugin: altostrat.sdx.rollout_report
    plugin_type: filter
  - plugin: altostrat.sdx.rollout_table
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Report the sites of the group sdx that this run rolled out to
  altostrat.sdx.rollout_report:
    report: "{{ hostvars | altostrat.sdx.rollout_report(groups['sdx'], 'CHG-1234', reached_only=true) }}"
    dest: reports/CHG-1234
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
counts:
  description: The number of sites per status; they add up to the report's total.
  returned: always
  type: dict
  sample: {completed: 9, unchanged: 0, queued: 0, skipped_offline: 3, failed: 0, not_run: 0}
stopped:
  description: Whether the rollout stopped after a batch failed beyond its threshold.
  returned: always
  type: bool
report_file:
  description: The run's JSON report; its JUnit report has the same name ending in C(.xml).
  returned: always
  type: str
"""
