# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Run a site module's own ``main()`` in the action plugin's process, for a task whose module would run there anyway.

A module process starts an interpreter and imports requests and pydantic for every task, which costs more CPU than
the task's API requests. When the task would run its module on the controller, with the controller's own Python,
the action plugin runs the module's ``main()`` here instead, in the worker ansible-core forked for the task; the main
process has made the heavy imports before forking when it loaded this plugin or the sites inventory.

The module is the real one: its ``main()`` builds the real ``AnsibleModule``, which reads the arguments the action
base would send a module process (fed as ansible-core's own test helpers feed them), validates and masks them, and
prints its result and exits as in a process. This file only captures what it printed and how it exited, and keeps
what a module process would keep to itself (its working directory, locale, environment, exit handlers, warnings
store, Python warnings) out of the worker, which runs a loop's next item next.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import locale
import os
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings

try:  # ansible-core 2.19 and later: the helper that feeds a module its arguments, with their serialization profile
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # 2.16: AnsibleModule reads them from basic._ANSIBLE_ARGS, as JSON
    patch_module_args = None

# How AnsibleModule writes its result and reads its arguments when fed by patch_module_args (2.19 and later).
PROFILE = "legacy"


@dataclass(frozen=True)
class Ended:
    """How a module's run ended: what it printed, its exit code, and the traceback of an error it did not handle."""

    stdout: str
    rc: int
    stderr: str = ""

    def as_command_result(self) -> dict[str, Any]:
        """In the shape of a module process's command result, for ``ActionBase._parse_returned_data``."""
        return {"stdout": self.stdout, "stderr": self.stderr, "rc": self.rc}


def plain_args(args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The task's arguments as they would cross a module process's boundary (JSON types only), and the message
    naming the first one that cannot (else empty)."""
    made: dict[str, Any] = {}
    for name, value in args.items():
        try:
            made[name] = json.loads(json.dumps(value, default=_as_json))
        except (TypeError, ValueError) as error:
            return {}, f"{name}: expected text, a number, a boolean, a list or a dict, got a value of another type ({error})"
    return made, ""


def _as_json(value: Any) -> Any:
    """What the module arguments' JSON encoder writes for the types JSON lacks: sets as lists, dates as ISO text."""
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


def run_main(main: Callable[[], None], module_args: dict[str, Any]) -> Ended:
    """Run a module's ``main()`` with ``module_args`` (its options and the ``_ansible_*`` arguments) as its process
    would, and answer how it ended. ``module_args`` must hold JSON types only (see ``plain_args``)."""
    out = io.StringIO()
    with _isolated(), _arguments(module_args), contextlib.redirect_stdout(out):
        try:
            main()
        except SystemExit as end:
            return Ended(out.getvalue(), _exit_code(end.code))
        except Exception:  # pylint: disable=broad-exception-caught  # a module process would print it and exit 1
            return Ended(out.getvalue(), 1, traceback.format_exc())
    return Ended(out.getvalue(), 0)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


@contextlib.contextmanager
def _arguments(module_args: dict[str, Any]) -> Iterator[None]:
    """Feed ``module_args`` to the AnsibleModule made inside, as ansible-core's test helpers do on each line."""
    if patch_module_args is not None:
        with patch_module_args(module_args):
            yield
        return
    encoded = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}).encode()
    with mock.patch.object(basic, "_ANSIBLE_ARGS", encoded):
        yield


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    """Keep what a module process changes in its own process out of this worker, which may run a loop's next item.

    - the working directory (AnsibleModule moves to a readable one), the locale it sets, and the environment
      (AnsibleModule may set LANG; SDXModule sets PYDANTIC_DISABLE_PLUGINS);
    - exit handlers (a module's temporary folder is removed at its exit): collected and run when the module ends;
    - ansible-core's store of module warnings and deprecations, which a module process starts empty (2.16 adds
      them to the result from there; later lines show them through the worker's display);
    - Python warnings (urllib3's InsecureRequestWarning), which a module process writes to its discarded stderr.
    """
    cwd, environ, saved_locale = os.getcwd(), dict(os.environ), locale.setlocale(locale.LC_ALL)
    at_exit: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(mock.patch.object(atexit, "register", _collector(at_exit)))
        for store in ("_global_warnings", "_global_deprecations"):
            if hasattr(module_warnings, store):
                stack.enter_context(mock.patch.object(module_warnings, store, type(getattr(module_warnings, store))()))
        try:
            yield
        finally:
            for function, args, kwargs in reversed(at_exit):
                with contextlib.suppress(Exception):
                    function(*args, **kwargs)
            os.chdir(cwd)
            locale.setlocale(locale.LC_ALL, saved_locale)
            _restore_environ(environ)


def _collector(at_exit: list) -> Callable[..., Callable[..., Any]]:
    def register(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        at_exit.append((function, args, kwargs))
        return function
    return register


def _restore_environ(saved: dict[str, str]) -> None:
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value
