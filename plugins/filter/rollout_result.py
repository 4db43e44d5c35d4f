# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_result
version_added: 0.1.0
short_description: Decide one site's rollout outcome, its status and message
description:
  - Builds the C(script_rollout_result) fact that the
    R(altostrat.sdx.script_rollout role,ansible_collections.altostrat.sdx.script_rollout_role) sets on each host, from
    what the role saw on that site and the results it registered. The role uses it for every site, so a status and its
    message are decided in one place.
  - Outcome C(stopped) (fact O(max_fail_percentage)) gives C(not_run), "not reached: the rollout stopped after a batch
    failed beyond N%".
  - Outcome C(offline) (fact O(site), the site as M(altostrat.sdx.sdx_site_info) returned it) gives C(skipped_offline).
  - Outcome C(ran) (facts O(job), O(wait), O(check_mode), O(verify)) gives C(unchanged) when an equal job already
    existed, C(queued) when nobody waited for the job (O(wait) false, or check mode), else C(completed). The job's
    C(config_diff), when it has one, is kept.
  - Outcome C(failed) (facts O(error), O(job)) gives C(failed), with the failed task's message.
  - Every result has the keys C(site), C(site_id), C(status), C(changed), C(job_id), C(queued), C(started), C(finished)
    and C(message); a site without a job has C(null) for the job's.
author:
  - Altostrat SDX collection maintainers (@altostrat)
positional: host, site_id
options:
  _input:
    description: What the role saw on the site.
    type: str
    choices: [stopped, offline, ran, failed]
    required: true
  host:
    description: The site's inventory host, the result's C(site).
    type: str
    required: true
  site_id:
    description: The site's UUID.
    type: str
    required: true
  max_fail_percentage:
    description: The threshold the failed batch exceeded (outcome C(stopped)).
    type: raw
  site:
    description: The site as M(altostrat.sdx.sdx_site_info) returned it (outcome C(offline)).
    type: dict
  job:
    description: The registered result of M(altostrat.sdx.sdx_async_script) (outcomes C(ran) and C(failed)).
    type: dict
  wait:
    description: Whether the script task waited for the job (outcome C(ran)).
    type: bool
  check_mode:
    description: Whether the play runs in check mode (outcome C(ran)).
    type: bool
  verify:
    description:
      - The registered result of the verify command (outcome C(ran)); the job counts as verified unless it was
        skipped.
    type: dict
  error:
    description: The failed task's result, C(ansible_failed_result) in a C(rescue) section (outcome C(failed)).
    type: dict
"""

EXAMPLES = r"""
- name: Record that a script task queued a job without waiting
  ansible.builtin.set_fact:
    script_rollout_result: >-
      {{ 'ran' | altostrat.sdx.rollout_result(inventory_hostname, '9c69345c-8d39-4786-9f17-8153c988c89a',
                                              job={'changed': true, 'job': {'id': 'a1b2', 'created_at': '2026-11-28T12:00:00Z'}},
                                              wait=false, check_mode=false) }}

- name: The outcome is queued, with the job's id and queue time
  ansible.builtin.assert:
    that:
      - script_rollout_result.status == 'queued'
      - script_rollout_result.message == 'queued the script'
      - script_rollout_result.job_id == 'a1b2'
"""

RETURN = r"""
_value:
  description: The site's C(script_rollout_result).
  type: dict
  contains:
    site:
      description: The site's inventory host.
      type: str
    site_id:
      description: The site's UUID.
      type: str
    status:
      description: One of C(completed), C(unchanged), C(queued), C(skipped_offline), C(failed), C(not_run).
      type: str
    changed:
      description: Whether the script task queued a job (or would have, in check mode).
      type: bool
    job_id:
      description: The job's UUID; C(null) without a job.
      type: str
    queued:
      description: When the job was queued, as the API wrote it; C(null) without a job.
      type: str
    started:
      description: When the job started; C(null) until it did.
      type: str
    finished:
      description: When the job completed or failed; C(null) until it did.
      type: str
    message:
      description: What happened, in words.
      type: str
    config_diff:
      description: What the job changed on the router (outcome C(ran), when the script task read a diff).
      type: str
      returned: when the job result has one
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout


def rollout_result(outcome, host, site_id, **facts):
    try:
        return _rollout.site_result(outcome, host, site_id, **facts)
    except ValueError as error:
        raise AnsibleFilterError(f"altostrat.sdx.rollout_result: {error}") from None


class FilterModule:
    def filters(self):
        return {"rollout_result": rollout_result}
