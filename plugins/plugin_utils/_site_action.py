# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The action plugin of every site module (each module's file in plugins/action names this class): check the types of
text options, give the module the host's site, and run the module here when its process would be this controller's
own Python (see ``_in_process``). What it checks comes from each module's class (``SDXModule``), nothing else."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Any

from ansible import constants as C
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import valid_unicode
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _feedback, _in_process
from ansible_collections.altostrat.sdx.plugins.plugin_utils._inventory import SITE_VARIABLE

display = Display()

_KINDS = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (list, "a list"), (dict, "a dict"))
_MODULES_PACKAGE = "ansible_collections.altostrat.sdx.plugins.modules"
# The off switch of the in-process run (docs/development.md): an ansible.cfg setting and its environment variable.
SETTINGS_NAME = "altostrat.sdx"
SETTINGS = {
    "module_process": {
        "type": "bool",
        "default": False,
        "env": [{"name": "ANSIBLE_SDX_MODULE_PROCESS"}],
        "ini": [{"section": "altostrat.sdx", "key": "module_process"}],
    },
}
# ansible-core 2.19 and later decode a module's output by the serialization profile it was written with.
_PARSE_TAKES_PROFILE = "profile" in inspect.signature(ActionBase._parse_returned_data).parameters


def module_class(name: str) -> type[SDXModule]:
    """The SDXModule class of module ``name`` (full or short name), found in its file by its base: exactly one.

    ValueError names the module when it is not one of this collection's or holds no single such class.
    """
    short = name.rpartition(".")[2]
    try:
        module = importlib.import_module(f"{_MODULES_PACKAGE}.{short}")
    except ModuleNotFoundError as error:
        if error.name != f"{_MODULES_PACKAGE}.{short}":
            raise
        raise ValueError(f"the altostrat.sdx site action plugin cannot run module {name!r}: the collection has no "
                         f"such module") from None
    found = {value for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, SDXModule) and value is not SDXModule}
    if len(found) != 1:
        raise ValueError(f"module {name} holds {len(found)} SDXModule classes; the action plugin runs exactly one")
    return found.pop()


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
    if value is None or isinstance(value, str) or getattr(value, "__ENCRYPTED__", False):  # 2.16's inline vault text
        return None
    kind = next((label for cls, label in _KINDS if isinstance(value, cls)), type(value).__name__)
    hint = f" (write several lines as one YAML block scalar, {name}: |)" if isinstance(value, list) else ""
    return f"{name}: expected a string, got {kind}{hint}"


def site_args(module: type[SDXModule], args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
    """The module's arguments with ``site_id`` from the host's site variable when the task leaves it out.

    Raises ValueError with the message for the task when an argument is wrong or no site can be found.
    """
    problems = [problem for problem in (type_problem(name, args.get(name)) for name in module.text_options())
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
    chosen = any(args.get(name) not in (None, "") for name in module.chooses_sites)
    if module.takes_site == "none" or given is not None or chosen:
        return args
    site_id = task_vars.get(SITE_VARIABLE)
    if site_id not in (None, ""):
        return {**args, "site_id": site_id}
    if module.takes_site == "required":
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


def forces_module_process(task_vars: dict[str, Any]) -> bool:
    """Whether the off switch of the in-process run is on: ``module_process`` in the ``[altostrat.sdx]`` section of
    ansible.cfg, or ANSIBLE_SDX_MODULE_PROCESS in the environment (which wins)."""
    if not C.config.get_configuration_definitions("action", SETTINGS_NAME):
        C.config.initialize_plugin_configuration_definitions("action", SETTINGS_NAME, SETTINGS)
    return bool(C.config.get_config_value("module_process", plugin_type="action", plugin_name=SETTINGS_NAME,
                                          variables=task_vars))


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
    _site_name: tuple[str, str] | None = None  # the task's site and its name, for failure messages

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        return merge_hash(result, self.run_site_module(self._module_name(), dict(self._task.args), task_vars or {},
                                                       written=self._task.action))

    def run_site_module(self, name: str, args: dict[str, Any], task_vars: dict[str, Any],
                        written: str | None = None, announce: bool = True) -> dict[str, Any]:
        """The result of site module ``name`` (its full name) run with ``args`` for this task's host: checked, given
        the host's site, and run here or as a module process, as a task of that module would be. ``written`` is the
        name as the task wrote it, which the module's own messages use; ``announce`` says up front how long a task
        the rate limit stretches takes (an action running several modules says it once, for all of them)."""
        try:
            module = module_class(name)
            args = site_args(module, args, self._with_site_rendered(task_vars))
        except ValueError as error:
            return {"failed": True, "msg": str(error)}
        self._site_name = self._name_of_site(args.get("site_id"), task_vars)
        fleet_line = _feedback.fleet_line(name, args, task_vars) if announce else None
        if fleet_line:
            display.display(fleet_line)
        if self._module_runs_here(task_vars):
            with _feedback.live_lines(display.display, task_vars.get("inventory_hostname")):  # waits said as they happen
                return self._run_here(name, module, args, task_vars, written=written or name)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = self._execute_module(module_name=written or name, module_args=args, task_vars=task_vars,
                                      wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result

    def _parse_returned_data(self, res, *args, **kwargs):
        """The module's output, parsed, with its failure message naming the task's site by the host's name for it.

        It is renamed before ansible-core parses it: from 2.19 the error a run shows is taken from the message then.
        """
        if self._site_name is not None and isinstance(res.get("stdout"), str):
            res = {**res, "stdout": _feedback.named_in_output(res["stdout"], *self._site_name)}
        return super()._parse_returned_data(res, *args, **kwargs)

    def _name_of_site(self, site_id: Any, task_vars: dict[str, Any]) -> tuple[str, str] | None:
        """The task's site and its name from the host's variables, when both are known."""
        if not isinstance(site_id, str):
            return None
        site_name = _feedback.host_site_name(site_id, self._with_site_rendered(task_vars))
        if isinstance(site_name, str) and "{" in site_name:
            site_name = self._templar.template(site_name)
        return (site_id, site_name) if isinstance(site_name, str) and site_name else None

    def _with_site_rendered(self, task_vars: dict[str, Any]) -> dict[str, Any]:
        """``task_vars`` with the host's site variable rendered: action plugins get variables as they were written,
        so ``sdx_site_id: "{{ ... }}"`` in a play's or task's vars is still a template here."""
        site_id = task_vars.get(SITE_VARIABLE)
        if not isinstance(site_id, str) or "{" not in site_id:
            return task_vars
        return {**task_vars, SITE_VARIABLE: self._templar.template(site_id)}

    def _module_runs_here(self, task_vars: dict[str, Any]) -> bool:
        """Whether the module process would be this controller's own Python, as this process is, on this machine:
        a local connection with the controller's interpreter, and no become, async or task environment."""
        if self._connection.transport != "local" or self._task.async_val or self._play_context.become:
            return False
        if forces_module_process(task_vars):
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

    def _run_here(self, name: str, module: type[SDXModule], args: dict[str, Any],
                  task_vars: dict[str, Any], written: str | None = None) -> dict[str, Any]:
        """Module ``name``'s result from its file's ``main()`` run in this process, as its module process would
        return it; ``written`` is the module's name as the task wrote it (the task's action by default)."""
        display.vvv(f"{name}: running in the action plugin, in this controller's Python "
                    f"({sys.executable}), without a module process", host=task_vars.get("inventory_hostname"))
        module_args, problem = _in_process.plain_args(args)
        if problem:
            return {"failed": True, "msg": problem}
        self._update_module_args(written or self._task.action, module_args, task_vars)
        main = importlib.import_module(module.__module__).main
        return self._module_result(_in_process.run_main(main, module_args))

    def _module_result(self, ended: _in_process.Ended) -> dict[str, Any]:
        """What the action base makes of a module's output, as of a module process's: decoded by its serialization
        profile (2.19 and later) with failures normalised; from 2.21 a task-result object, made its dict."""
        profile = (_in_process.PROFILE,) if _PARSE_TAKES_PROFILE else ()
        parsed = self._parse_returned_data(ended.as_command_result(), *profile)
        return parsed if isinstance(parsed, dict) else parsed.as_result_dict(for_round_trip=True)

    def _module_name(self) -> str:
        """The full name of the task's module; the task's resolved action may name this action plugin instead."""
        found = self._shared_loader_obj.module_loader.find_plugin_with_context(
            self._task.action, collection_list=self._task.collections)
        return found.resolved_fqcn if found.resolved else self._task.action
