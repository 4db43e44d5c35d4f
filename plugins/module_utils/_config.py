# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The steps of an altostrat.sdx.sdx_config task: read the menu, plan, queue one script at most once, read again.

``changed`` comes from what the router holds, never from the job list: a compliant router costs one read and no
POST. The module file holds the documentation and ``main``.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from . import _jobs
from ._config_input import check_data, parse_export
from ._config_plan import STATES, make_plan
from ._config_render import script
from ._config_values import is_dynamic, normalise_row, to_data
from ._errors import SDXError, SDXInputError
from ._models import AsynchronousScriptRequest, parse_site_id
from ._module import SDXModule
from ._numbers import seconds
from ._routeros_model import Menu, load_menu
from ._site_api import SiteAPI

OFFLINE_STATES = ("rendered", "parsed")


class ConfigModule(SDXModule):
    argument_spec = {
        "site_id": {"type": "str"},
        "path": {"type": "str", "required": True},
        "data": {"type": "list", "elements": "raw"},
        "state": {"type": "str", "default": "merged", "choices": list(STATES)},
        # Names of identifying properties, not secrets.
        "keys": {"type": "list", "elements": "str", "no_log": False},
        "routeros_version": {"type": "str"},
        "update_secrets": {"type": "str", "default": "on_create", "choices": ["on_create", "always"]},
        "running_config": {"type": "str"},
        "description": {"type": "str"},
        "make_backup": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "float", "default": 300},
        "poll_interval": {"type": "float", "default": 5},
        "settle_timeout": {"type": "float", "default": _jobs.SETTLE_TIMEOUT},
    }

    def run(self) -> None:
        state = self.params["state"]
        menu = load_menu(self.params["path"], self.params["routeros_version"], self.params["keys"])
        self._check_options(state)
        desired = check_data(menu, state, self.params["data"])
        self._protect_secrets(menu, desired)
        if state == "rendered":
            plan = make_plan(menu, "merged", desired, [])
            self.result["rendered"] = script(menu, plan.changes, mask=True)
            return
        if state == "parsed":
            self.result["parsed"] = parse_export(menu, self.params["running_config"])
            return
        site = self.site(parse_site_id(self.params["site_id"]))
        rows = read_menu(site, menu)
        if state == "gathered":
            self.result["gathered"] = [to_data(row, menu) for row in rows if not is_dynamic(row)]
            return
        self._apply(site, menu, state, desired, rows)

    def _check_options(self, state: str) -> None:
        if state == "parsed" and self.params["running_config"] is None:
            raise SDXInputError("running_config: state=parsed needs the text of a RouterOS /export")
        if state != "parsed" and self.params["running_config"] is not None:
            raise SDXInputError(f"running_config: only read with state=parsed, not state={state}")
        if state not in OFFLINE_STATES and not self.params["site_id"]:
            raise SDXInputError(f"site_id: state={state} reads the router, so it needs a site (site_id, or the "
                                f"host's sdx_site_id)")
        if state in ("gathered", "parsed") and self.params["data"] is not None:
            raise SDXInputError(f"data: state={state} takes no data; it returns the menu in that format")
        for name in ("wait_timeout", "poll_interval", "settle_timeout"):
            self.params[name] = seconds(name, self.params[name])

    def _protect_secrets(self, menu: Menu, desired: list[dict[str, Any]]) -> None:
        """Write-only values are masked wherever the result shows them, ``invocation`` included."""
        for entry in desired:
            for name, value in entry.items():
                spec = menu.field(name)
                if spec is not None and spec.write_only and value not in (None, ""):
                    self.module.no_log_values.add(str(value))

    def _apply(self, site: SiteAPI, menu: Menu, state: str, desired: list[dict[str, Any]],
               rows: list[dict[str, Any]]) -> None:
        update_secrets = self.params["update_secrets"]
        plan = make_plan(menu, state, desired, rows, update_secrets)
        commands = script(menu, plan.changes, mask=True)
        self.result.update(before=plan.before, commands=commands, job=None)
        if not plan.changes:
            self.result.update(after=plan.before, converged=True)
            return
        self.result.update(changed=True, after=plan.after, converged=None)
        self._diff(site, menu, plan.before, plan.after)
        if self.module.check_mode:
            return
        request = AsynchronousScriptRequest(
            description=self.params["description"] or f"sdx_config {menu.path} ({state})",
            script="\n".join(script(menu, plan.changes)) + "\n", make_backup=self.params["make_backup"],
            needs_acknowledgement=True)
        job = self._queue_and_wait(site, request)
        if job is None:
            return
        self._confirm(site, menu, state, desired, job)

    def _diff(self, site: SiteAPI, menu: Menu, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = {"before": as_text(before), "after": as_text(after),
                                   "before_header": f"site {site.id}: {menu.cli_path} before",
                                   "after_header": f"site {site.id}: {menu.cli_path} after"}

    def _queue_and_wait(self, site: SiteAPI, request: AsynchronousScriptRequest) -> Optional[dict[str, Any]]:
        """Queue the script through the at-most-once path; the completed job when waiting, else None."""
        planned = _jobs.plan(site, request, force=True)
        queued = _jobs.queue(site, request, planned.known_ids, self.params["settle_timeout"])
        if queued.warning:
            self.module.warn(queued.warning)
        if queued.adopted is not None:
            self.result["job"] = queued.adopted.to_result()
            target = _jobs.Target(job=queued.adopted)
        else:
            self.result["job"] = _jobs.pending_result(site.id, request, queued)
            target = _jobs.Target(idempotency_key=queued.accepted.idempotency_key if queued.accepted else None,
                                  request=request, known_ids=planned.known_ids)
        if not self.params["wait"]:
            return None
        outcome = _jobs.wait(site, target, self.params["wait_timeout"], self.params["poll_interval"])
        self.result.update(job=outcome.job.to_result(), transitions=outcome.transitions)
        failure = outcome.failure(site.id, self.params["wait_timeout"])
        if failure:
            self.module.fail_json(msg=f"{failure}; the router may hold part of the change (the script stops at its "
                                      f"first error)", **self.result)
        return self.result["job"]

    def _confirm(self, site: SiteAPI, menu: Menu, state: str, desired: list[dict[str, Any]],
                 job: dict[str, Any]) -> None:
        """Read the menu again: ``converged`` when nothing is left to change, else the task fails with the rest."""
        rows = read_menu(site, menu)
        remaining = make_plan(menu, state, desired, rows, "on_create")
        self.result.update(after=remaining.before, converged=not remaining.changes)
        self._diff(site, menu, self.result["before"], remaining.before)
        if remaining.changes:
            self.result["difference"] = script(menu, remaining.changes, mask=True)
            self.module.fail_json(msg=f"job {job.get('id')} completed, but menu {menu.cli_path} of site {site.id} "
                                      f"does not hold the desired state: {len(self.result['difference'])} "
                                      f"command(s) are still needed (see difference)", **self.result)


def read_menu(site: SiteAPI, menu: Menu) -> list[dict[str, Any]]:
    """The menu's rows, from one ``print`` through the synchronous endpoint, in the typed shape."""
    answer = site.run_command(f"{menu.api_path}/print", None)
    rows = []
    for row in answer:
        if not isinstance(row, dict):
            raise SDXError(f"SDX answered {menu.api_path}/print on site {site.id!r} with a row that is not an object: "
                           f"{str(row)[:120]}")
        rows.append(normalise_row(row, menu))
    return rows


def as_text(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
