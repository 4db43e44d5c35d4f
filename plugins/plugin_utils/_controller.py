# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Run a site module's code in the action plugin's own process, for a task whose module would run there anyway.

A module process starts an interpreter and imports requests and pydantic for every task, which costs more CPU than
the task's API requests. When the task would run its module on the controller, with the controller's own Python,
the action plugin runs the same module class here instead, in the worker ansible-core forked for the task; the main
process has made the heavy imports before forking when it loaded this plugin or the sites inventory. What the module
sees (validated options, check and diff mode, no_log) and what it returns (masked secrets, ``invocation``, warnings)
are those of a module process.
"""

from __future__ import annotations

import importlib
import json
import warnings
from collections.abc import Mapping, Set
from datetime import date, time, timedelta
from typing import Any, NoReturn

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator, ValidationResult
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.altostrat.sdx.plugins.module_utils._module import (
    SDXModule, infinite_int_message, with_raw_ints)

_MODULES_PACKAGE = "ansible_collections.altostrat.sdx.plugins.modules"
# Keyword arguments of AnsibleModule that are rules between options, which the validator takes too.
_RULES = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


class ModuleExit(BaseException):
    """exit_json or fail_json of a module run here: the end of the module's run, with its result.

    Not an Exception, as SystemExit is not: an ``except Exception`` in module code must not catch it.
    """

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result


class TaskModule:
    """The part of AnsibleModule that the site modules use, for a module class run in the action plugin."""

    def __init__(self, name: str, params: dict[str, Any], *, check_mode: bool, diff: bool, no_log: bool) -> None:
        self._name = name
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.no_log = no_log
        self.warnings: list[str] = []
        # Values the module marks secret while it runs (AnsibleModule.no_log_values), masked as the validator's are.
        self.no_log_values: set[str] = set()

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)

    def fail_json(self, msg: str, **kwargs: Any) -> NoReturn:
        raise ModuleExit({**kwargs, "failed": True, "msg": msg})

    def exit_json(self, **kwargs: Any) -> NoReturn:
        raise ModuleExit(kwargs)


def module_class(name: str) -> type[SDXModule]:
    """The SDXModule class a module file runs, found in the file by its base: exactly one per module."""
    module = importlib.import_module(f"{_MODULES_PACKAGE}.{name.rpartition('.')[2]}")
    found = {value for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, SDXModule) and value is not SDXModule}
    if len(found) != 1:
        raise ValueError(f"module {name} holds {len(found)} SDXModule classes; the action plugin runs exactly one")
    return found.pop()


def plain(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` as it would cross a module process's boundary: JSON types only, without the controller's own.

    Raises TypeError for a value a module process could not receive either, such as bytes.
    """
    return json.loads(json.dumps(value, default=_as_json))


def plain_args(args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The task's arguments made plain, and the message naming the first one that cannot be (else empty)."""
    made: dict[str, Any] = {}
    for name, value in args.items():
        try:
            made[name] = json.loads(json.dumps(value, default=_as_json))
        except (TypeError, ValueError) as error:
            return {}, f"{name}: expected text, a number, a boolean, a list or a dict, got a value of another type ({error})"
    return made, ""


def _as_json(value: Any) -> Any:
    """What a module's JSON encoder writes for the types JSON lacks: sets as lists, dates and times as ISO text."""
    if getattr(value, "__ENCRYPTED__", False):  # an inline !vault value, still encrypted on ansible-core 2.16
        return str(value)
    if isinstance(value, Mapping):  # such as hostvars
        return dict(value)
    if isinstance(value, Set):
        return list(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a JSON type")


def validated(cls: type[SDXModule], name: str, args: dict[str, Any]) -> tuple[dict[str, Any], set[str], str]:
    """The options after their types, defaults and fallbacks, the values to mask, and the message when an option is
    wrong (else empty), as AnsibleModule makes them."""
    spec = cls.full_argument_spec()
    rules = {key: value for key, value in cls.module_kwargs.items() if key in _RULES}
    try:
        validation = ArgumentSpecValidator(spec, **rules).validate(args)
        message = _problem(validation, name)
    except OverflowError:  # int("inf"), as SDXModule.define_module explains: another wrong option comes first
        validation = ArgumentSpecValidator(with_raw_ints(spec), **rules).validate(args)
        message = _problem(validation, name) or infinite_int_message(spec, validation.validated_parameters)
    no_log_values = validation._no_log_values  # pylint: disable=protected-access
    return {**args, **validation.validated_parameters}, no_log_values, message


def _problem(validation: ValidationResult, name: str) -> str:
    if not validation.error_messages:
        return ""
    if isinstance(validation.errors[0], UnsupportedError):
        return f"Unsupported parameters for ({name}) module: {validation.errors.msg}"
    return validation.errors.msg


def run_module(name: str, args: dict[str, Any], *, check_mode: bool, diff: bool, no_log: bool,
               invocation: bool = True, resolved: str | None = None) -> dict[str, Any]:
    """The result of module ``name`` (as the task names it; ``resolved`` is its full name) run here with the task's
    ``args``, as its module process would return it, with ``invocation`` holding the options unless
    ``invocation`` is false (as ansible-core 2.21 makes it)."""
    cls = module_class(resolved or name)
    args, problem = plain_args(args)
    params, no_log_values, problem = validated(cls, name, args) if not problem else (args, set(), problem)
    module = TaskModule(name, params, check_mode=check_mode, diff=diff, no_log=no_log)
    with warnings.catch_warnings():
        # A module process's Python warnings (urllib3's InsecureRequestWarning) go to its discarded stderr; here
        # they would reach the terminal past Ansible's display.
        warnings.simplefilter("ignore")
        result = _ended(module, cls, problem)
    if invocation:
        result["invocation"] = {"module_args": params}
    if module.warnings:
        result["warnings"] = module.warnings
    # As AnsibleModule does: True, False and None at the top (changed, failed) are never masked.
    kept = {key: value for key, value in result.items() if value is None or isinstance(value, bool)}
    return plain({**remove_values(result, no_log_values | module.no_log_values), **kept})


def _ended(module: TaskModule, cls: type[SDXModule], problem: str) -> dict[str, Any]:
    """The result the module ended with: its fail_json when an option is wrong, else its run's."""
    try:
        if problem:
            module.fail_json(msg=problem)
        cls(module).execute()  # ends in exit_json or fail_json
    except ModuleExit as end:
        return end.result
    raise AssertionError(f"module {module._name} returned without exit_json or fail_json")  # pragma: no cover
