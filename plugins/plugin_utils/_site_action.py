# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The action plugin of every site module: check the types of text options, give the module the host's site, and
run the module here when its process would be this controller's own Python (see ``_controller``)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from ansible import constants as C
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import valid_unicode
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _controller
from ansible_collections.altostrat.sdx.plugins.plugin_utils._inventory import SITE_VARIABLE

display = Display()

_KINDS = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (list, "a list"), (dict, "a dict"))


@dataclass(frozen=True)
class SiteModule:
    """What the action plugin does before one module runs."""

    # Options that must be strings as the task wrote them.
    text_options: tuple[str, ...] = ()
    # Whether the module fails without a site_id from the task or the host.
    site_id_required: bool = True
    # Options that choose sites themselves: when the task gives one, the host's site is not used.
    chooses_sites: tuple[str, ...] = ()


# Every module routed to this action plugin by meta/runtime.yml (a unit test holds the two together).
MODULES = {
    "sdx_async_script": SiteModule(text_options=("script", "description", "notify_url", "unless_found")),
    "sdx_backup": SiteModule(),
    "sdx_backup_info": SiteModule(),
    "sdx_command": SiteModule(text_options=("command",)),
    # rendered and parsed make no request: the module says when a site is missing.
    "sdx_config": SiteModule(text_options=("path", "running_config", "description", "routeros_version"),
                             site_id_required=False),
    "sdx_job": SiteModule(),
    "sdx_job_info": SiteModule(),
    "sdx_latest_backups_info": SiteModule(site_id_required=False, chooses_sites=("site_ids",)),
    "sdx_site_info": SiteModule(site_id_required=False, chooses_sites=("name",)),
}


def character_problem(name: str, value: object) -> str | None:
    """A message naming option ``name`` when a string in ``value`` holds a NUL or a lone surrogate.

    Neither can be meant, and neither reaches a module process the same way on every ansible-core line (2.21
    fails logging a NUL to syslog; a lone surrogate cannot be written as the UTF-8 the module's arguments are).
    """
    if isinstance(value, str):
        if "\0" in value:
            return f"{name}: must not contain a NUL character (\\x00)"
        if not valid_unicode(value):
            return f"{name}: holds text that is not valid Unicode (a lone surrogate such as \\ud800)"
        return None
    if isinstance(value, dict):
        parts = [*value, *value.values()]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        return None
    return next(filter(None, (character_problem(name, part) for part in parts)), None)


def type_problem(name: str, value: object) -> str | None:
    """A message when ``value`` of a text option is not a string (or unset), naming the option.

    Modules declare these options ``type: str``, and ansible-core turns a list, a dict or a number into
    its text before the module sees it; only here is the original type still known.
    """
    if value is None or isinstance(value, str):
        return None
    kind = next((label for cls, label in _KINDS if isinstance(value, cls)), type(value).__name__)
    hint = f" (write several lines as one YAML block scalar, {name}: |)" if isinstance(value, list) else ""
    return f"{name}: expected a string, got {kind}{hint}"


def module_of(action: str) -> SiteModule:
    """The rules of the module a task runs, by its (resolved) name; a module this plugin does not know is an error."""
    name = action.rpartition(".")[2]
    try:
        return MODULES[name]
    except KeyError:
        raise ValueError(f"the altostrat.sdx site action plugin has no rules for module {action!r}; "
                         f"it knows {', '.join(sorted(MODULES))}") from None


def site_args(module: SiteModule, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
    """The module's arguments with ``site_id`` from the host's site variable when the task leaves it out.

    Raises ValueError with the message for the task when an argument is wrong or no site can be found.
    """
    problems = [problem for problem in (type_problem(name, args.get(name)) for name in module.text_options)
                if problem]
    # The token has its own check, which says what a token holds and never shows it.
    problems += [problem for problem in (character_problem(name, value) for name, value in args.items()
                                         if name != "api_token") if problem]
    if problems:
        raise ValueError("; ".join(problems))
    given = args.get("site_id")
    if isinstance(given, str) and not given.strip():  # an explicit '' must not become the host's own site
        raise ValueError(f"site_id: expected a site ID, got an empty string {given!r}; leave site_id out to use "
                         f"the host's {SITE_VARIABLE}")
    if given is not None or any(args.get(name) not in (None, "") for name in module.chooses_sites):
        return args
    site_id = task_vars.get(SITE_VARIABLE)
    if site_id not in (None, ""):
        return {**args, "site_id": site_id}
    if module.site_id_required:
        raise ValueError(_no_site_message(task_vars))
    return args


def is_this_python(interpreter: str) -> bool:
    """Whether ``interpreter`` is the Python running this code, with the same packages: the same program, found in
    the same folder (a virtual environment's python and python3.11 are one; the system Python it links to is not)."""
    if not os.path.isabs(interpreter):
        return False
    here = sys.executable
    return (os.path.dirname(os.path.normpath(interpreter)) == os.path.dirname(os.path.normpath(here))
            and os.path.realpath(interpreter) == os.path.realpath(here))


def _injects_invocation(task_vars: dict[str, Any]) -> bool:
    """Whether a module's result holds ``invocation``: always before ansible-core 2.21, then as configured."""
    if not C.config.get_configuration_definition("INJECT_INVOCATION"):
        return True
    return bool(C.config.get_config_value("INJECT_INVOCATION", variables=task_vars))


def _no_site_message(task_vars: dict[str, Any]) -> str:
    message = (f"site_id: not given, and host {task_vars.get('inventory_hostname', '?')!r} has no {SITE_VARIABLE} "
               f"variable; set site_id on the task, or run it on hosts of the altostrat.sdx.sites inventory plugin")
    if task_vars.get("sdx_id") not in (None, ""):
        message += f" (the host has sdx_id, which the site modules no longer read: set {SITE_VARIABLE} instead)"
    return message


class SiteAction(ActionBase):
    """Runs the task's module, with ``site_id`` defaulting to the host's ``sdx_site_id``, here or as a process."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        name = self._module_name()
        try:
            args = site_args(module_of(name), dict(self._task.args), task_vars)
        except ValueError as error:
            result.update(failed=True, msg=str(error))
            return result
        if self._module_runs_here(task_vars):
            return merge_hash(result, self._run_here(name, args, task_vars))
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result

    def _module_runs_here(self, task_vars: dict[str, Any]) -> bool:
        """Whether the module process would be this controller's own Python, as this process is, on this machine:
        a local connection with the controller's interpreter, and no become, async or task environment."""
        if self._connection.transport != "local" or self._task.async_val or self._play_context.become:
            return False
        if any(self._task.environment or ()):
            return False
        host_vars = task_vars
        if self._task.delegate_to:
            host_vars = task_vars.get("ansible_delegated_vars", {}).get(self._task.delegate_to, {})
        # The variable ansible_python_interpreter, else the configured interpreter; "auto" would discover another.
        interpreter = C.config.get_config_value("INTERPRETER_PYTHON", variables=host_vars)
        interpreter = self._templar.template(interpreter) if isinstance(interpreter, str) else None
        return isinstance(interpreter, str) and is_this_python(interpreter)

    def _run_here(self, name: str, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        display.vvv(f"{name}: running in the action plugin, in this controller's Python "
                    f"({sys.executable}), without a module process", host=task_vars.get("inventory_hostname"))
        no_target_syslog = C.config.get_config_value("DEFAULT_NO_TARGET_SYSLOG", variables=task_vars)
        return _controller.run_module(self._task.action, args, resolved=name, check_mode=bool(self._task.check_mode),
                                      diff=bool(self._task.diff), no_log=bool(self._task.no_log or no_target_syslog),
                                      invocation=_injects_invocation(task_vars))

    def _module_name(self) -> str:
        """The full name of the task's module; the task's resolved action may name this action plugin instead."""
        found = self._shared_loader_obj.module_loader.find_plugin_with_context(
            self._task.action, collection_list=self._task.collections)
        return found.resolved_fqcn if found.resolved else self._task.action
