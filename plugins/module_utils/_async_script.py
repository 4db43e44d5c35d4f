# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The steps of an altostrat.sdx.sdx_async_script task: plan, queue at most once, wait, read the router's change.

The module file holds its documentation and entry point; this is its Ansible glue, as ``_module.py`` is for all.
"""

from __future__ import annotations

from typing import Optional

from . import _jobs, _unless_found
from ._errors import SDXError, SDXInputError
from ._models import AsynchronousScriptRequest, Job, parse_site_id
from ._module import SDXModule
from ._numbers import seconds
from ._site_api import SiteAPI


class AsyncScriptModule(SDXModule):
    argument_spec = {
        "site_id": {"type": "str", "required": True},
        "description": {"type": "str", "required": True},
        "script": {"type": "str", "required": True},
        "make_backup": {"type": "bool", "default": False},
        "express_execute": {"type": "bool", "default": False},
        "needs_acknowledgement": {"type": "bool", "default": False},
        "notify_url": {"type": "str"},
        "force": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": False},
        "wait_timeout": {"type": "float", "default": 300},
        "poll_interval": {"type": "float", "default": 5},
        "settle_timeout": {"type": "float", "default": _jobs.SETTLE_TIMEOUT},
        "config_diff": {"type": "bool", "default": False},
        "config_diff_timeout": {"type": "float", "default": 120},
        "reveal_secrets": {"type": "bool", "default": False},
        "unless_found": {"type": "str"},
        "unless_found_parameters": {"type": "raw"},
    }

    def run(self) -> None:
        site_id = parse_site_id(self.params["site_id"])
        request = AsynchronousScriptRequest.from_params(self.params)
        for name in ("wait_timeout", "poll_interval", "settle_timeout", "config_diff_timeout"):
            self.params[name] = seconds(name, self.params[name])
        self._check_config_diff()
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
        plan = _jobs.plan(site, request, force=self.params["force"])
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
            self._read_change(site, self._wait(site, _jobs.Target(job=queued.adopted)))
            return
        key = queued.accepted.idempotency_key if queued.accepted else None
        self.result.update(outcome="queued", request_id=queued.accepted.request_id if queued.accepted else None,
                           job=_jobs.pending_result(site_id, request, queued))
        self._read_change(site, self._wait(site, _jobs.Target(idempotency_key=key, request=request,
                                                              known_ids=plan.known_ids)))

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
        from . import _backups  # pylint: disable=import-outside-toplevel

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
        outcome = _jobs.wait(site, target, self.params["wait_timeout"], self.params["poll_interval"])
        self.result.update(job=outcome.job.to_result(), transitions=outcome.transitions)
        failure = outcome.failure(site.id, self.params["wait_timeout"])
        if failure:
            self.module.fail_json(msg=failure, **self.result)
        return outcome.job
