#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_job
short_description: Cancel a pending SDX job
version_added: 0.1.0
description:
  - Makes sure a job of an SDX site will not run, by cancelling it while it is still pending
    (C(DELETE /site/{siteId}/job/{jobId})).
  - A job that is already cancelled or gone is fine as it is. A job the router already started cannot be
    cancelled any more; the task then fails with the API's C(job_already_started) error and changes nothing.
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
      - Reads the job and predicts the outcome (cancelled, already absent, or already started) without calling C(DELETE).
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  job_id:
    description: UUID of the job.
    type: str
    required: true
  state:
    description: V(absent) cancels the job. It is the only state, since jobs are created by M(altostrat.sdx.sdx_async_script).
    type: str
    choices: [absent]
    default: absent
"""

EXAMPLES = r"""
- name: Cancel a job that has not started
  altostrat.sdx.sdx_job:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    job_id: 0eb76fdc-b556-4ca3-91ac-0b8a5b606053
    state: absent
"""

RETURN = r"""
job:
  description:
    - The job (without its script), with its status after the task. A job this task cancelled has status
      V(cancelled); in check mode the status is the one read (V(pending)).
    - V(null) when the site has no such job.
  returned: always
  type: dict
  sample:
    id: 0eb76fdc-b556-4ca3-91ac-0b8a5b606053
    status: cancelled
    description: Add guest network address
"""

from ansible_collections.altostrat.sdx.plugins.module_utils._models import parse_job_id
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule


class JobModule(SDXModule):
    argument_spec = {
        "job_id": {"type": "str", "required": True},
        "state": {"type": "str", "choices": ["absent"], "default": "absent"},
    }

    def run(self) -> None:
        site_id = self.site_id
        job_id = parse_job_id(self.params["job_id"])
        self.result["job"] = None
        site = self.site(site_id)
        job = site.find_job(job_id)
        if job is None or job.status == "cancelled":
            self.result["job"] = job.to_result() if job else None
            self.result["msg"] = f"job {job_id} is not queued on site {site_id} (already cancelled or gone)"
            return
        self.result["job"] = job.to_result()
        if self.module.check_mode:
            if job.status != "pending":
                self.module.fail_json(msg=f"job {job_id} is {job.status} and can no longer be cancelled "
                                          f"(job_already_started)", **self.result)
            self.result.update(changed=True, msg=f"would cancel job {job_id}")
            return
        cancelled = site.cancel(job_id)
        if cancelled:  # SDX answered the DELETE: the job is cancelled now, whatever it was when read
            self.result["job"]["status"] = "cancelled"
        self.result.update(changed=cancelled, msg=f"cancelled job {job_id}" if cancelled else "job already gone")


def main() -> None:
    JobModule.main()


if __name__ == "__main__":
    main()
