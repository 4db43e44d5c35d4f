#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_async_script
short_description: Queue a RouterOS script on an SDX site as a device job
version_added: 0.1.0
description:
  - Queues a RouterOS script for a MikroTik router managed by Altostrat SDX (C(POST /api/asynchronous/{siteId})).
    The router runs it the next time it checks in.
  - Idempotent by default. An equal job on the site (the same O(script) and O(description), O(make_backup),
    O(needs_acknowledgement) and O(express_execute)) that is pending, running or completed means C(ok), and nothing
    is queued. A failed or cancelled job does not count. Set O(force=true) for work that must run every time.
  - One run sends the queue request at most once. When no answer tells what became of it, the site's jobs are read
    for up to O(settle_timeout) seconds to adopt the job; the request is never sent again.
  - With O(wait=true) the task waits for the job; set O(needs_acknowledgement=true) too, or a script that fails on
    the router still reports V(completed) (the task warns). With O(config_diff=true) it also returns what the job
    changed on the router.
  - The module talks to the SDX API, not to the router; run it on the controller.
  - How jobs are matched, requests counted, unknown outcomes reconciled and jobs waited for is in
    R(the sdx_async_script guide,ansible_collections.altostrat.sdx.docsite.async_script).
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.job
  - altostrat.sdx.sdx.confirm
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.sdx.site
  - altostrat.sdx.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the site's jobs exactly as a real run does and predicts C(changed) as a real run reports it when
        the API accepts the request. A real run whose request is refused, or whose outcome is unknown, fails
        with C(changed=false).
      - Never queues anything and never waits. RV(config_diff) cannot be predicted, so it is V(null), and
        C(msg) says so.
  diff_mode:
    support: full
    details:
      - When a script is (or would be) queued, the diff shows it as added to the site's job queue.
      - With O(config_diff=true), once the job completed, the diff shows the router's own change instead (the
        unified diff of RV(config_diff), secrets masked), or says that the configuration did not change.
        In check mode it still shows the script.
  idempotent:
    support: partial
    details:
      - With the default O(force=false) a second run with the same O(script), O(description) and options reports no
        change while the first job is pending, running or completed.
      - With O(force=true) every run queues a new job.
options:
  description:
    description:
      - Short human-readable description of the job, shown in SDX.
      - Part of what makes two jobs the same task (see the module description).
    type: str
    required: true
  script:
    description:
      - The RouterOS script to run, for example C(/ip address add address=192.168.99.1/24 interface=bridge).
      - It is not echoed in the result, since it can hold secrets. In diff mode it is shown.
    type: str
    required: true
  make_backup:
    description: Have SDX take a configuration backup of the router before the script runs.
    type: bool
    default: false
  express_execute:
    description: Ask SDX to trigger a faster device check-in where possible.
    type: bool
    default: false
  needs_acknowledgement:
    description:
      - Make the router report the end of the script. Only then does SDX learn that a script failed.
      - Without it, SDX marks the job completed as soon as the router downloads it, so O(wait=true) waits only for
        the download, and the task warns once. Leave it V(false) only for scripts that cut the router's connection
        before they could report, such as a reboot.
    type: bool
    default: false
  notify_url:
    description: HTTPS URL that SDX calls with the job's status changes; the C(altostrat.sdx.job_webhook) event source receives them.
    type: str
  force:
    description: Queue the script even when an equal job is already pending, running or completed.
    type: bool
    default: false
  wait:
    description:
      - Wait until the job has completed. A failed job, or O(wait_timeout) passing first, fails the task.
      - Jobs of an offline site stay pending until the router checks in again.
    type: bool
    default: false
  config_diff:
    description:
      - After the job this run queued has completed, request a configuration backup, wait for it, and return
        RV(config_diff), the unified diff from the job's pre-change backup to that one.
      - Needs O(make_backup=true) (SDX takes the pre-change backup) and O(wait=true) (the diff is read after the
        job ran); the task refuses other combinations before any request.
      - Nothing is read when no job was queued (an equal job already existed, C(ok)), when the job failed, or
        in check mode.
      - Secret values are masked, as M(altostrat.sdx.sdx_backup_info) masks them, unless O(reveal_secrets=true).
    type: bool
    default: false
  config_diff_timeout:
    description:
      - Seconds to wait for the backup requested after the job to be listed. The list is read from every
        O(poll_interval) up to every 10 seconds. When none is listed in time (an offline router takes none),
        the task fails with C(changed=true), since the job ran; the message says the site is offline only when
        SDX reports it so.
    type: float
    default: 120
  reveal_secrets:
    description:
      - Show secret values in RV(config_diff) (and the task's diff) as they are in the export, instead of
        C(********). Only with O(config_diff=true).
      - The result then holds secrets. Set C(no_log) on the task, and register the result, to keep them out of
        the output.
    type: bool
    default: false
  unless_found:
    description:
      - A RouterOS C(print) query run first through the synchronous endpoint (C(POST /api/synchronous/{siteId})),
        as C(creates) is for M(ansible.builtin.command). When it answers at least one row, the script is not
        queued and the task reports C(ok) (RV(outcome=found)) without reading the site's jobs.
      - Written as for M(altostrat.sdx.sdx_command), for example C(/ip address print where address=192.168.99.1/24)
        (one C(where name=value) condition), or a path with its query words in O(unless_found_parameters).
      - Check mode runs the same read. The router's state then decides, not the job history, so a script whose
        effect was undone by hand is queued again.
      - The site must be online for the read; an offline site fails the task.
    type: str
  unless_found_parameters:
    description:
      - API query words sent with O(unless_found), such as V(?comment=guest), or a list of them (all must hold).
    type: raw
  revert_script:
    description:
      - With O(confirm_timeout), the RouterOS commands that undo O(script), run by the router when the change is not
        confirmed in time. It is shown in RV(confirm).
      - With O(confirm_timeout), one of O(revert_script) and O(revert_to_backup) is required; they are mutually
        exclusive. O(confirm_timeout) also needs O(wait=true) and O(needs_acknowledgement=true), and every run
        queues a job (the job history cannot tell a confirmed job from a reverted one; use O(unless_found)).
    type: str
  revert_to_backup:
    description:
      - With O(confirm_timeout), the job first saves a binary C(/system backup), and the revert loads it.
      - B(Loading a binary backup reboots the router), and restores its whole configuration as it was before the
        job, not only what O(script) changed. The backup is saved unencrypted on the router's storage until the
        confirm job removes it.
    type: bool
    default: false
notes:
  - Runs on the controller and needs network access to O(api_url) from there.
seealso:
  - name: Queue an asynchronous RouterOS script (SDX API)
    description: The API endpoint this module calls.
    link: https://altostrat.io/docs/api/en/developer-api/queue-an-asynchronous-routeros-script
"""

EXAMPLES = r"""
- name: Add the guest network address on one site, and return what it changed on the router
  altostrat.sdx.sdx_async_script:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    description: Add guest network address
    script: /ip address add address=192.168.99.1/24 interface=bridge
    make_backup: true
    needs_acknowledgement: true
    wait: true
    config_diff: true
  register: guest
  delegate_to: localhost

# config_diff is read only for a job this run queued: a re-run that finds the job done is ok and has none.
- name: Show the router's change
  ansible.builtin.debug:
    msg: "{{ guest.config_diff.splitlines() }}"
  when: guest.config_diff is string

- name: Add the address unless the router already has it (its state decides, not the job history)
  altostrat.sdx.sdx_async_script:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    description: Add guest network address
    script: /ip address add address=192.168.99.1/24 interface=bridge
    unless_found: /ip address print where address=192.168.99.1/24
  delegate_to: localhost

- name: Take a backup on every run (not idempotent on purpose)
  altostrat.sdx.sdx_async_script:
    site_id: "{{ sdx_site_id }}"
    description: Nightly export
    script: /export file=nightly
    force: true

- name: Move the management VLAN; the router undoes it by itself unless SDX still reaches it within 5 minutes
  altostrat.sdx.sdx_async_script:
    site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
    description: Management VLAN 20
    script: /interface vlan set [find where name=mgmt] vlan-id=20
    revert_script: /interface vlan set [find where name=mgmt] vlan-id=10
    confirm_timeout: 5m
    needs_acknowledgement: true
    wait: true
  delegate_to: localhost

- name: Connection options once for every SDX module
  module_defaults:
    group/altostrat.sdx.sdx:
      api_token: "{{ vault_sdx_token }}"
  block:
    - name: Set the router identity
      altostrat.sdx.sdx_async_script:
        site_id: 9c69345c-8d39-4786-9f17-8153c988c89a
        description: Set identity
        script: /system identity set name=branch-0001
"""

RETURN = r"""
job:
  description:
    - The job that holds the script, as SDX lists it, with a derived O(ignore:status); the script is left out.
    - In check mode, V(null) when a job would be queued.
    - When this run queued the job and did not wait, the job is not looked up, since that would cost a
      request. It holds what the queue answer told, with RV(job.id) V(null) and RV(job.status) V(pending).
      Use RV(job.idempotency_key) with M(altostrat.sdx.sdx_job_info) to read it later.
  returned: success, or a failed wait
  type: dict
  contains:
    id:
      description: Job UUID. V(null) when this run queued the job without waiting for it.
      type: str
      sample: 0eb76fdc-b556-4ca3-91ac-0b8a5b606053
    idempotency_key:
      description:
        - Key SDX gave the job when it was queued.
        - V(null) only when SDX accepted the script with an answer that could not be read (a warning says so).
      type: str
      sample: c4a3498b-ead4-47c6-aa4f-d4662e1fdb54
    token:
      description:
        - The job's short reference (base62 of its id) that SDX writes into the job's log lines, and that
          RV(job.log_url) filters on. It is not a credential and grants nothing.
        - Absent when this run queued the job without waiting for it.
      type: str
      sample: 2jP5kLqWnZ
    status:
      description: Derived from the timestamps.
      type: str
      choices: [pending, running, completed, failed, cancelled]
      sample: completed
    description:
      description: The job description.
      type: str
    created_at:
      description: When the job was queued.
      type: str
    started_at:
      description: When the router picked the job up.
      type: str
    completed_at:
      description: When the job completed.
      type: str
    failed_at:
      description: When the job failed.
      type: str
    log_url:
      description: Relative SDX UI link to the job's logs.
      type: str
  sample:
    id: 0eb76fdc-b556-4ca3-91ac-0b8a5b606053
    idempotency_key: c4a3498b-ead4-47c6-aa4f-d4662e1fdb54
    status: pending
    description: Add guest network address
    created_at: "2026-11-28T13:19:46.445004Z"
    started_at: null
    completed_at: null
    failed_at: null
request_id:
  description: Request id SDX returned when the script was queued by this run; V(null) otherwise.
  returned: always
  type: str
  sample: e97d0fc9-d905-474a-a5d2-f429b3f7e4dc
queued:
  description: Whether this run queued (or in check mode would queue) a job, as far as it knows.
  returned: always
  type: bool
reconciled:
  description: True when the queue request got no clear answer and the job it had created was adopted.
  returned: always
  type: bool
outcome:
  description:
    - What the run did.
    - V(existing), an equal job was there and nothing was queued; V(would_queue), check mode.
    - V(found), O(unless_found) answered rows and nothing was queued.
    - V(queued), SDX accepted the request; V(adopted), the request got no clear answer and the job it created
      was adopted. Both report C(changed=true).
    - V(not_queued), the API refused the request or it never reached the API; V(unknown), no answer told what
      became of it and no job appeared within O(settle_timeout). Both fail the task with C(changed=false).
    - With O(confirm_timeout), once the job ran, V(confirmed) (contact proven, the revert removed), V(reverted)
      (contact was lost and the revert ran) or V(unknown) (it cannot tell; the message says what to check). The
      last two fail the task with C(changed=true).
  returned: always, except on bad input or a failed read of the site's jobs
  type: str
  choices: [existing, found, would_queue, queued, adopted, not_queued, unknown, confirmed, reverted]
confirm:
  description:
    - With O(confirm_timeout), what was armed on the router and how it was confirmed, as M(altostrat.sdx.sdx_config)
      returns it (C(scheduler), C(timeout), C(armed), C(revert), C(confirm_script), C(armed_at), C(deadline),
      C(contact), C(job), C(router_back_at), C(disarmed_at)).
  returned: when O(confirm_timeout) is set
  type: dict
  sample: queued
found:
  description: How many rows the O(unless_found) query answered.
  returned: when O(unless_found) is set, and the query ran
  type: int
  sample: 0
transitions:
  description: Status changes the wait saw, each with the controller time (UTC) it was seen at.
  returned: when O(wait=true) and not in check mode
  type: list
  elements: dict
  sample:
    - {status: pending, seen_at: "2026-11-28T13:19:46.450Z"}
    - {status: running, seen_at: "2026-11-28T13:19:51.460Z"}
    - {status: completed, seen_at: "2026-11-28T13:19:54.470Z"}
config_diff:
  description:
    - With O(config_diff=true), the unified diff from the backup SDX took before the job's script ran to a
      backup taken after the job completed, computed on the controller. Empty when the job changed nothing.
    - The export's time-stamp line is left out and wrapped lines are joined first; secret values are masked
      unless O(reveal_secrets=true).
    - V(null) when this run queued nothing (an equal job existed), in check mode, and when the job failed.
  returned: when O(config_diff=true)
  type: str
  sample: "--- 1732567800.rsc\n+++ 1732567912.rsc\n@@ -8,2 +8,3 @@\n /ip address\n add address=192.168.88.1/24 \
    comment=defconf interface=bridge network=192.168.88.0\n+add address=192.168.99.1/24 interface=bridge\n"
config_diff_backups:
  description: The listed fields (C(filename), C(size), C(date), C(time), C(created_at)) of the two backups compared.
  returned: when RV(config_diff) is a diff
  type: dict
  contains:
    before:
      description: The backup SDX took just before the job's script ran.
      type: dict
    after:
      description: The backup requested after the job completed.
      type: dict
error:
  description: The API error, when the task failed on one.
  returned: failure
  type: dict
  contains:
    status:
      description: HTTP status; V(null) when the API was not reached.
      type: int
    type:
      description: Error category, such as V(invalid_request_error).
      type: str
    code:
      description: Error code, such as V(resource_missing).
      type: str
    message:
      description: The API's own message.
      type: str
    doc_url:
      description: Link to the documentation of the error code.
      type: str
"""

from typing import Optional

from ansible_collections.altostrat.sdx.plugins.module_utils import _jobs, _unless_found
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm import (
    CONFIRM_OPTIONS, NOT_STARTED, ConfirmPlan, script_plan)
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm_flow import refuse_if_armed, settle, wait_change
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError, SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest, Job
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI


# The same text for every host, so that Ansible shows it once per run however many sites wait.
WAIT_WITHOUT_ACKNOWLEDGEMENT = (
    "wait: true without needs_acknowledgement: true waits only until the router downloads the script: SDX then "
    "marks the job completed, and a script that fails on the router still reports completed. Set "
    "needs_acknowledgement: true to wait for the script's own outcome (leave it false only for scripts that cut "
    "the connection, such as a reboot)")


class AsyncScriptModule(SDXModule):
    argument_spec = {
        "description": {"type": "str", "required": True},
        "script": {"type": "str", "required": True},
        "make_backup": {"type": "bool", "default": False},
        "express_execute": {"type": "bool", "default": False},
        "needs_acknowledgement": {"type": "bool", "default": False},
        "notify_url": {"type": "str"},
        "force": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": False},
        **_jobs.JOB_OPTIONS,
        "config_diff": {"type": "bool", "default": False},
        "config_diff_timeout": {"type": "float", "default": 120},
        "reveal_secrets": {"type": "bool", "default": False},
        "unless_found": {"type": "str"},
        "unless_found_parameters": {"type": "raw"},
        **CONFIRM_OPTIONS,
        "revert_script": {"type": "str"},
        "revert_to_backup": {"type": "bool", "default": False},
    }
    seconds = (*_jobs.JOB_OPTIONS, "config_diff_timeout")
    armed: Optional[ConfirmPlan] = None  # with confirm_timeout, the revert the job arms first

    def run(self) -> None:
        site_id = self.site_id
        request = AsynchronousScriptRequest.from_params(self.params)
        self.armed = script_plan(self.params, site_id)
        if self.armed is not None:
            # The revert is armed first; the job history cannot make the task ok, since a reverted job is there
            # as completed (use unless_found to decide by the router's state).
            request = request.model_copy(update={"script": self.armed.job_script([request.script.strip()])})
            self.result.update(outcome=None, confirm=self.armed.to_result())
        self._check_config_diff()
        if self.params["wait"] and not self.params["needs_acknowledgement"]:
            self.module.warn(WAIT_WITHOUT_ACKNOWLEDGEMENT)
        state_check = _unless_found.parse(self.params["unless_found"], self.params["unless_found_parameters"])
        self.result.update(job=None, request_id=None, queued=False, reconciled=False)
        if self.params["config_diff"]:
            self.result["config_diff"] = None
        site = self.site(site_id)
        if state_check is not None:
            found = state_check.run(site)
            self.result["found"] = len(found)
            if found:
                self.result.update(outcome="found", msg=f"unless_found matched {len(found)} row(s): nothing queued")
                return
        if self.armed is not None:
            refuse_if_armed(site, self.armed)
        plan = _jobs.plan(site, request, force=self.params["force"] or self.armed is not None)
        if not plan.will_queue:
            self.result.update(outcome="existing", job=plan.existing.to_result())
            self._wait(site, _jobs.Target(job=plan.existing))
            return
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = {"before": "", "after": request.script.rstrip() + "\n",
                                   "after_header": f"site {site_id}: queued script"}
        if self.module.check_mode:
            self.result.update(changed=True, queued=True, outcome="would_queue",
                               msg=f"would queue {request.description!r} on site {site_id}")
            if self.params["config_diff"]:
                self.result["msg"] += ("; config_diff is not predicted in check mode: it is the router's change "
                                       "after the job ran")
            return
        queued = self._queue(site, request, plan)
        self.result.update(changed=True, queued=True, reconciled=queued.reconciled)
        if queued.warning:
            self.module.warn(queued.warning)
        if queued.adopted is not None:
            self.result.update(outcome="adopted", job=queued.adopted.to_result())
            self._read_change(site, self._confirmed(site, self._wait(site, _jobs.Target(job=queued.adopted))))
            return
        key = queued.accepted.idempotency_key if queued.accepted else None
        self.result.update(outcome="queued", request_id=queued.accepted.request_id if queued.accepted else None,
                           job=_jobs.pending_result(site_id, request, queued))
        self._read_change(site, self._confirmed(site, self._wait(site, _jobs.Target(
            idempotency_key=key, request=request, known_ids=plan.known_ids))))

    def _check_config_diff(self) -> None:
        if not self.params["config_diff"]:
            if self.params["reveal_secrets"]:
                raise SDXInputError("reveal_secrets: only applies to config_diff; set config_diff=true as well")
            return
        missing = [f"{name}=true" for name in ("make_backup", "wait") if not self.params[name]]
        if missing:
            raise SDXInputError(f"config_diff: needs {' and '.join(missing)}: SDX takes the pre-change backup only "
                                f"with make_backup, and the change is read after the job ran, which needs wait")

    def _read_change(self, site: SiteAPI, job: Optional[Job]) -> None:
        """The router's change made by the completed job this run queued (config_diff)."""
        if not self.params["config_diff"] or job is None:
            return
        # Imported only here: most runs never diff, and the backup and diff helpers cost every run their import.
        from ansible_collections.altostrat.sdx.plugins.module_utils import _backups  # pylint: disable=import-outside-toplevel

        change = _backups.job_config_diff(site, job, self.params["config_diff_timeout"], self.params["poll_interval"],
                                          self.params["reveal_secrets"], timeout_name="config_diff_timeout")
        self.result.update(config_diff=change.diff, config_diff_backups=change.backups())
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = {"prepared": change.task_diff(site.id, job.id)}
        if self.params["reveal_secrets"] and not self.module.no_log:
            self.module.warn("reveal_secrets: the result holds the router's secrets; set no_log: true on the task")

    def _queue(self, site: SiteAPI, request: AsynchronousScriptRequest, plan: _jobs.Plan) -> _jobs.Queued:
        try:
            return _jobs.queue(site, request, plan.known_ids, self.params["settle_timeout"])
        except _jobs.OutcomeUnknown:
            self.result["outcome"] = "unknown"
            raise
        except SDXError:
            self.result["outcome"] = "not_queued"
            raise

    def _wait(self, site: SiteAPI, target: _jobs.Target) -> Optional[Job]:
        """The job once it completed; None when there was no wait. A failed job or a timeout fails the task."""
        if not self.params["wait"] or self.module.check_mode:
            return None
        outcome = wait_change(site, target, self.armed, self.params["wait_timeout"], self.params["poll_interval"])
        self.result.update(job=outcome.job.to_result(), transitions=outcome.transitions)
        failure = outcome.failure(site.id, self.params["wait_timeout"])
        if failure and self.armed is not None:
            if not outcome.job.started_at:
                failure += NOT_STARTED
            else:
                self._confirmed(site, outcome.job, failure)  # it armed the revert before the script: watch it
        if failure:
            self.module.fail_json(msg=failure, **self.result)
        return outcome.job

    def _confirmed(self, site: SiteAPI, job: Optional[Job], failure: Optional[str] = None) -> Optional[Job]:
        """With confirm_timeout: the job once confirmed; the task fails when the change was reverted or unknown."""
        if self.armed is None or job is None:
            return job
        outcome = settle(site, self.armed, self.params["description"], job, self.params, failure)
        self.result.update(outcome=outcome.outcome, confirm=outcome.details)
        if not outcome.confirmed:
            self.module.fail_json(msg=f"site {site.id}: {outcome.message}", **self.result)
        return job


def main() -> None:
    AsyncScriptModule.main()


if __name__ == "__main__":
    main()
