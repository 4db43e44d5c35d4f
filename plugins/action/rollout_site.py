# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugin of altostrat.sdx.rollout_site: one site of a rollout in one task (read the site, apply the change,
verify it, decide its status), so that a rollout prints one line per site and batch."""

from __future__ import annotations

from typing import Any, Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.altostrat.sdx.plugins.module_utils._confirm import parse_duration
from ansible_collections.altostrat.sdx.plugins.module_utils._connection import CONNECTION_OPTION_NAMES
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _feedback, _rollout
from ansible_collections.altostrat.sdx.plugins.plugin_utils._inventory import SITE_VARIABLE
from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout_config import checked_config
from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import SiteAction

_CONNECTION = {name: {"type": "raw"} for name in CONNECTION_OPTION_NAMES}  # checked by the site modules themselves
ARGUMENT_SPEC = {
    "site_id": {"type": "str"},
    "description": {"type": "str", "required": True},
    "script": {"type": "str", "default": ""},
    "config": {"type": "dict", "default": {}},
    "make_backup": {"type": "bool", "default": True},
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 600},
    "poll_interval": {"type": "float", "default": 5},
    "skip_offline": {"type": "bool", "default": True},
    "verify_command": {"type": "str", "default": ""},
    "verify_expect": {"type": "str", "default": ""},
    "force": {"type": "bool", "default": False},
    "config_diff": {"type": "bool", "default": False},
    "confirm_timeout": {"type": "str", "default": ""},
    "revert_script": {"type": "str", "default": ""},
    "revert_to_backup": {"type": "bool", "default": False},
    "stopped": {"type": "int"},
    **_CONNECTION,
}
_MODULE = "altostrat.sdx.{}".format
display = Display()


class SiteFailed(Exception):
    """The site failed at a step; the message says what happened and what to do next."""

    def __init__(self, message: str, job: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.job = job or {}


class ActionModule(SiteAction):
    """Runs altostrat.sdx.sdx_site_info, then altostrat.sdx.sdx_async_script (and altostrat.sdx.sdx_command to verify)
    or altostrat.sdx.sdx_config, as their own tasks would run, and returns the site's rollout result."""

    def run(self, tmp=None, task_vars=None):
        result = ActionBase.run(self, tmp, task_vars)  # the action base alone: SiteAction.run runs one module
        del tmp
        task_vars = task_vars or {}
        host = task_vars.get("inventory_hostname", "?")
        try:
            _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        except AnsibleActionFail as error:
            site = _rollout.site_result("failed", host, self._task.args.get("site_id"), error={"msg": str(error)})
            return {**result, "rollout": site, "failed": True, "msg": site["message"]}
        site_id = args["site_id"] or task_vars.get(SITE_VARIABLE) or ""
        site, diff = self._site(host, site_id, args, task_vars)
        # Nested: a task result's own keys (finished, among others) mean something else to ansible-core.
        result.update(rollout=site, changed=site["changed"])
        if diff:
            result["diff"] = diff
        if site["status"] in _rollout.FAILED_STATUSES:
            result.update(failed=True, msg=site["message"])
        return result

    def _site(self, host: str, site_id: str, args: dict[str, Any],
              task_vars: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """The site's rollout result, and the diff its change showed."""
        if args["stopped"] is not None:
            return _rollout.site_result("stopped", host, site_id, max_fail_percentage=args["stopped"]), None
        fleet_line = _feedback.fleet_line(_MODULE("rollout_site"), args, task_vars)
        if fleet_line:
            display.display(fleet_line)
        try:
            config = self._checked(host, site_id, args)
            found = self._read_site(host, site_id, args, task_vars)
            if not found.get("has_pulse"):
                return _rollout.site_result("offline", host, site_id, site=found), None
            if config:
                job = self._module("sdx_config", site_id, args, task_vars, **self._config_args(config, args))
                return _rollout.site_result("configured", host, site_id, config=job, wait=args["wait"],
                                            check_mode=self._task.check_mode), job.get("diff")
            job = self._module("sdx_async_script", site_id, args, task_vars, **self._script_args(args))
            try:
                verify = self._verify(site_id, args, task_vars)
            except SiteFailed as failure:
                raise SiteFailed(str(failure), job=job) from None
        except SiteFailed as failure:
            return _rollout.site_result("failed", host, site_id, job=failure.job, error={"msg": str(failure)}), None
        return _rollout.site_result("ran", host, site_id, job=job, wait=args["wait"], check_mode=self._task.check_mode,
                                    verify=verify, verify_expect=args["verify_expect"],
                                    verify_command=args["verify_command"]), job.get("diff")

    @staticmethod
    def _checked(host: str, site_id: str, args: dict[str, Any]) -> dict[str, Any]:
        """The declarative change checked against the RouterOS data model ({} for a script); refuses wrong input."""
        if bool(args["script"]) == bool(args["config"]):
            raise SiteFailed("Give exactly one of rollout_script, rollout_script_file and rollout_config.")
        if not site_id:
            raise SiteFailed(f"host {host} has no {SITE_VARIABLE}: run on hosts of the altostrat.sdx.sites inventory, "
                             f"or set rollout_site_id")
        if args["config_diff"] and not (args["make_backup"] and args["wait"] and not args["config"]):
            raise SiteFailed("rollout_config_diff needs rollout_make_backup and rollout_wait (both true by default): "
                             "the diff compares the backup SDX takes before the script runs with one taken after the "
                             "job completed; with rollout_config, the report has the commands each site needed "
                             "instead.")
        ActionModule._check_confirm(args)
        if not args["config"]:
            return {}
        try:
            return checked_config(args["config"])
        except SDXInputError as error:
            raise SiteFailed(str(error)) from None

    @staticmethod
    def _check_confirm(args: dict[str, Any]) -> None:
        """rollout_confirm_timeout: a duration, waited for, and for a script the revert the user gives."""
        if not args["confirm_timeout"]:
            if args["revert_script"] or args["revert_to_backup"]:
                raise SiteFailed("rollout_revert_script and rollout_revert_to_backup are only used with "
                                 "rollout_confirm_timeout")
            return
        try:
            parse_duration(args["confirm_timeout"], "rollout_confirm_timeout")
        except SDXInputError as error:
            raise SiteFailed(str(error)) from None
        if not args["wait"]:
            raise SiteFailed("rollout_confirm_timeout needs rollout_wait: the change is confirmed after its job ran")
        if not args["config"] and bool(args["revert_script"]) == bool(args["revert_to_backup"]):
            raise SiteFailed("rollout_confirm_timeout with a script needs exactly one of rollout_revert_script (the "
                             "commands that undo it) and rollout_revert_to_backup (which reboots the router); with "
                             "rollout_config the revert is computed")
        if args["config"] and (args["revert_script"] or args["revert_to_backup"]):
            raise SiteFailed("rollout_config computes its own revert: leave rollout_revert_script and "
                             "rollout_revert_to_backup unset")

    def _read_site(self, host: str, site_id: str, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """The site as altostrat.sdx.sdx_site_info reads it; an unknown site, or an offline one that must not be
        skipped, fails the site."""
        found = (self._module("sdx_site_info", site_id, args, task_vars).get("sites") or [None])[0]
        about = f"site {host} ({site_id})"
        if not isinstance(found, dict):
            raise SiteFailed(f"{about} is not known to SDX")
        if not found.get("has_pulse") and not args["skip_offline"]:
            raise SiteFailed(f"{about} is offline since {found.get('last_seen_at') or '?'} "
                             f"(rollout_skip_offline is false)")
        return found

    def _verify(self, site_id: str, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """The verify command's result; a job nobody waited for has not run yet, so there is nothing to read back."""
        if not args["verify_command"] or not args["wait"] or self._task.check_mode:
            return {"skipped": True}
        return self._module("sdx_command", site_id, args, task_vars, command=args["verify_command"])

    @staticmethod
    def _confirm_args(args: dict[str, Any]) -> dict[str, Any]:
        """confirm_timeout and the script's revert for the module, when the rollout confirms its change."""
        if not args["confirm_timeout"]:
            return {}
        revert = {"revert_script": args["revert_script"]} if args["revert_script"] else {}
        if args["revert_to_backup"]:
            revert = {"revert_to_backup": True}
        return {"confirm_timeout": args["confirm_timeout"], **revert}

    @staticmethod
    def _script_args(args: dict[str, Any]) -> dict[str, Any]:
        return {"description": args["description"], "script": args["script"], "make_backup": args["make_backup"],
                "needs_acknowledgement": True, "force": args["force"], "wait": args["wait"],
                "wait_timeout": args["wait_timeout"], "poll_interval": args["poll_interval"],
                "config_diff": args["config_diff"], **ActionModule._confirm_args(args)}

    @staticmethod
    def _config_args(config: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        given = {"path": config["path"], "data": config.get("data") or None, "state": config["state"],
                 "keys": config.get("keys") or None, "description": args["description"],
                 "make_backup": args["make_backup"], "wait": args["wait"], "wait_timeout": args["wait_timeout"],
                 "poll_interval": args["poll_interval"], "confirm_timeout": args["confirm_timeout"] or None}
        return {name: value for name, value in given.items() if value is not None}

    def _module(self, name: str, site_id: str, args: dict[str, Any], task_vars: dict[str, Any],
                **options: Any) -> dict[str, Any]:
        """Site module ``name``'s result for this site, with the task's connection options; its failure fails the
        site, keeping what the module returned of the job."""
        connection = {option: args[option] for option in CONNECTION_OPTION_NAMES if args.get(option) is not None}
        result = self.run_site_module(_MODULE(name), {**connection, **options, "site_id": site_id}, task_vars,
                                      announce=False)
        if boolean(result.get("failed", False), strict=False):
            raise SiteFailed(str(result.get("msg") or f"{name} failed"), job=result)
        return result
