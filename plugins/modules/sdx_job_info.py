#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_job_info
short_description: List the jobs of an SDX site, or get one
version_added: 0.1.0
description:
  - Lists the jobs of a site, newest first (C(GET /site/{siteId}/job)), or gets one by O(job_id)
    (C(GET /site/{siteId}/job/{jobId})) or by the O(idempotency_key) that
    M(altostrat.sdx.sdx_async_script) returned when it queued the job.
  - Each job carries a C(status) derived from its timestamps, since SDX jobs have no status field.
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.sdx.site
  - altostrat.sdx.attributes
  - altostrat.sdx.attributes.info_module
options:
  job_id:
    description: UUID of one job. An unknown job gives an empty O(ignore:jobs) list.
    type: str
  idempotency_key:
    description: The job queued with this key (see the C(job.idempotency_key) result of M(altostrat.sdx.sdx_async_script)).
    type: str
  status:
    description: Only jobs whose derived status is one of these.
    type: list
    elements: str
    choices: [pending, running, completed, failed, cancelled]
  include_script:
    description: Return each job's script too. Off by default, since scripts can hold secrets.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Jobs still waiting for the router
  altostrat.sdx.sdx_job_info:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    status: [pending, running]
  register: waiting

- name: The job a queue task created
  altostrat.sdx.sdx_job_info:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    idempotency_key: "{{ queued.job.idempotency_key }}"
  register: found
  when: queued is defined
"""

RETURN = r"""
jobs:
  description: The matching jobs, newest first, each with its derived C(status).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Job UUID.
      type: str
    idempotency_key:
      description: Key SDX gave the job when it was queued.
      type: str
    token:
      description:
        - The job's short reference (base62 of its id) that SDX writes into the job's log lines, and that
          C(log_url) filters on. It is not a credential and grants nothing.
      type: str
    description:
      description: Job description.
      type: str
    status:
      description: Derived from the timestamps.
      type: str
      choices: [pending, running, completed, failed, cancelled]
    created_at:
      description: When the job was queued.
      type: str
    started_at:
      description: When the router picked it up.
      type: str
    completed_at:
      description: When it completed.
      type: str
    failed_at:
      description: When it failed.
      type: str
    script:
      description: The script, only with O(include_script=true).
      type: str
  sample:
    - id: 0eb76fdc-b556-4ca3-91ac-0b8a5b606053
      idempotency_key: c4a3498b-ead4-47c6-aa4f-d4662e1fdb54
      description: Add guest network address
      status: completed
"""

from ansible_collections.altostrat.sdx.plugins.module_utils._models import JOB_STATUSES, Job, parse_job_id
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule


class JobInfoModule(SDXModule):
    argument_spec = {
        "job_id": {"type": "str"},
        "idempotency_key": {"type": "str", "no_log": False},  # an id, not a secret
        "status": {"type": "list", "elements": "str",
                   "choices": list(JOB_STATUSES)},
        "include_script": {"type": "bool", "default": False},
    }
    module_kwargs = {"supports_check_mode": True, "mutually_exclusive": [("job_id", "idempotency_key")]}

    def run(self) -> None:
        site_id = self.site_id
        job_id = self.params["job_id"]
        if job_id:
            found = self.site(site_id).find_job(parse_job_id(job_id))
            jobs = [found] if found else []
        else:
            jobs = self.site(site_id).jobs()
            if self.params["idempotency_key"]:
                jobs = [job for job in jobs if job.idempotency_key == self.params["idempotency_key"]]
        wanted = self.params["status"]
        self.result["jobs"] = [self._job_result(job) for job in jobs if not wanted or job.status in wanted]

    def _job_result(self, job: Job) -> dict:
        shaped = job.to_result()
        if self.params["include_script"]:
            shaped["script"] = job.script
        return shaped


def main() -> None:
    JobInfoModule.main()


if __name__ == "__main__":
    main()
