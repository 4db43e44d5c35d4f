"""A site module run in its action plugin answers what its module process answers: the same options checked the
same way, the same result, the same masked secrets. Each case runs both ways against one simulator: the module's
main() fed the action base's arguments as a module process is, and the action plugin's own in-process run."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import io
import json
import os
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest
from ansible.module_utils.common import warnings as module_warnings
from ansible.release import __version__ as ANSIBLE_VERSION

from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _in_process
from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import (
    SiteAction, forces_module_process, is_this_python, module_class)

from tests.unit.compat import patch_module_args, run_module
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve

SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
# ansible-core 2.19 and later raise OverflowError for int("inf"); older lines report a conversion error.
OVERFLOWS = tuple(int(part) for part in ANSIBLE_VERSION.split(".")[:2]) >= (2, 19)
TASK_VARS = {"inventory_hostname": "localhost"}
MODULE_NAMES = sorted(path.stem for path in (Path(__file__).resolve().parents[4] / "plugins" / "modules").glob("sdx_*.py"))


def site_action(written: str, *, check_mode: bool = False, diff: bool = False, no_log: bool = False) -> SiteAction:
    """The action plugin of a task naming its module ``written``, on a local connection."""
    task = mock.Mock(action=written, check_mode=check_mode, diff=diff, no_log=no_log, async_val=0, environment=None)
    connection = mock.Mock(transport="local", socket_path=None, become=None)
    connection._shell.tmpdir = None  # pylint: disable=protected-access
    connection._shell.get_option.return_value = "~/.ansible/tmp"  # pylint: disable=protected-access
    return SiteAction(task, connection, mock.Mock(executable="/bin/sh", become=False), None, None, None)


def run_here(name: str, args: dict, *, check_mode: bool = False, diff: bool = False, no_log: bool = False,
             written: str | None = None) -> dict:
    """The result of the action plugin's in-process run of module ``name``."""
    full = f"altostrat.sdx.{name}"
    action = site_action(written or full, check_mode=check_mode, diff=diff, no_log=no_log)
    return action._run_here(full, module_class(full), args, TASK_VARS)  # pylint: disable=protected-access


def both_ways(name: str, args: dict, *, check_mode: bool = False, diff: bool = False, no_log: bool = False,
              written: str | None = None):
    """The result of module ``name`` from a module process's main() and from the action plugin's run, the task
    naming the module as ``written`` (its full name by default)."""
    full = f"altostrat.sdx.{name}"
    written = written or full
    main = importlib.import_module(f"ansible_collections.altostrat.sdx.plugins.modules.{name}").main
    action = site_action(written, check_mode=check_mode, diff=diff, no_log=no_log)
    internal: dict = {}
    action._update_module_args(written, internal, TASK_VARS)  # pylint: disable=protected-access
    out = io.StringIO()
    with patch_module_args({**args, **internal}), contextlib.redirect_stdout(out), pytest.raises(SystemExit) as end:
        main()
    process = action._module_result(_in_process.Ended(out.getvalue(), end.value.code))  # pylint: disable=protected-access
    here = run_here(name, args, check_mode=check_mode, diff=diff, no_log=no_log, written=written)
    for result in (process, here):  # warnings have their own test: ansible-core routes them differently in-process
        result.pop("warnings", None)
    return process, here


@pytest.fixture
def connection(simulator):
    return {"api_url": f"http://127.0.0.1:{simulator.server_port}", "api_token": TOKEN}


@pytest.fixture
def online_site(simulator):
    return next(site.id for site in simulator.sim.fleet.sites.values() if site.online)


@pytest.mark.parametrize("name, args, message", [
    ("sdx_async_script", {"site_id": SITE, "script": "/system identity print"},
     "missing required arguments: description"),
    ("sdx_async_script", {"site_id": SITE, "description": "d", "script": "/x", "colour": "red"},
     "Unsupported parameters for (altostrat.sdx.sdx_async_script) module: colour."),
    ("sdx_async_script", {"site_id": SITE, "description": "d", "script": "/x", "make_backup": "maybe"},
     "make_backup"),
    ("sdx_job_info", {"site_id": SITE, "job_id": "a", "idempotency_key": "b"},
     "parameters are mutually exclusive: job_id|idempotency_key"),
    ("sdx_job", {"site_id": "not-a-uuid", "job_id": SITE}, "site_id: expected a site UUID"),
    ("sdx_async_script", {"site_id": SITE, "description": "d", "script": "/x", "rate_limit": "inf"},
     "rate_limit"),  # 2.19 and later raise OverflowError here, older lines report a conversion error
    # An infinite integer and another wrong option: the other one is named, as AnsibleModule names it.
    ("sdx_job_info", {"site_id": SITE, "rate_limit": "inf", "job_id": "a", "idempotency_key": "b"},
     "parameters are mutually exclusive: job_id|idempotency_key"),
    ("sdx_job_info", {"site_id": SITE, "rate_limit": "inf", "colour": "red"},
     "Unsupported parameters" if OVERFLOWS else "rate_limit"),  # older lines list the conversion error first
])
def test_wrong_options_fail_the_same_way_before_any_request(name, args, message):
    # No api_url is reachable: a request would fail with another message.
    process, here = both_ways(name, {**args, "api_url": "http://127.0.0.1:9", "api_token": TOKEN})
    assert here == process
    assert here["failed"] is True and message in here["msg"]


@pytest.fixture
def slow_simulator():
    """A fleet whose jobs do not move between two runs of a test (real time), so both ways see the same job."""
    with serve(Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=3, time_scale=1)) as server:
        yield server


def test_a_queued_script_and_its_rerun_report_the_same_both_ways(slow_simulator):
    simulator = slow_simulator
    online_site = next(site.id for site in simulator.sim.fleet.sites.values() if site.online)
    connection = {"api_url": f"http://127.0.0.1:{simulator.server_port}", "api_token": TOKEN}
    args = {**connection, "site_id": online_site, "description": "Both ways", "script": "/system identity print"}
    first = run_here("sdx_async_script", args)
    assert first["changed"] is True and first["queued"] is True and first["job"]["status"] == "pending"
    process, here = both_ways("sdx_async_script", args)  # the job exists now: both adopt it, unchanged
    assert here == process
    assert here["changed"] is False and here["outcome"] == "existing"
    assert len([job for job in simulator.sim.fleet.jobs.values() if job.site_id == online_site]) == 1


def test_check_mode_and_diff_are_passed_to_the_module(connection, online_site, simulator):
    args = {**connection, "site_id": online_site, "description": "Predicted", "script": "/ip address print"}
    process, here = both_ways("sdx_async_script", args, check_mode=True, diff=True)
    assert here == process
    assert here["changed"] is True and here["diff"]["after"] == "/ip address print\n"
    assert not simulator.sim.fleet.jobs


def test_an_api_error_keeps_its_fields_both_ways(connection, online_site):
    process, here = both_ways("sdx_job_info", {**connection, "api_token": "alto_sk_not_this_one", "site_id": online_site})
    assert here == process
    assert here["failed"] is True and here["error"]["status"] == 401 and here["msg"]


def test_the_token_is_masked_everywhere_in_the_result(connection, monkeypatch):
    monkeypatch.setenv("ANSIBLE_INJECT_INVOCATION", "true")  # ansible-core 2.21 adds invocation only when asked to
    args = {**connection, "api_token": "alto_sk_wrong_token_for_masking", "site_id": SITE}
    process, here = both_ways("sdx_job_info", args)
    assert here == process
    assert here["invocation"]["module_args"]["api_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert "alto_sk_wrong_token_for_masking" not in repr(here)


def test_warnings_are_given_unless_no_log(connection, online_site, module_warnings):
    # ansible-core 2.16 returns them in the result; later lines show them through the worker's display, which the
    # task's result then carries (the fixture records the module's call either way).
    args = {**connection, "site_id": online_site, "latest": True, "reveal_secrets": True}
    run_here("sdx_backup_info", args)
    assert any("reveal_secrets" in warning for warning in module_warnings)
    module_warnings.clear()
    run_here("sdx_backup_info", args, no_log=True)
    assert not module_warnings


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_every_routed_module_has_exactly_one_class_to_run(name):
    cls = module_class(f"altostrat.sdx.{name}")
    assert cls.argument_spec  # each module adds its own options to the connection options
    assert importlib.import_module(cls.__module__).main.__module__ == cls.__module__


def test_arguments_hold_json_types_only():
    value = {"when": datetime(2026, 11, 29, tzinfo=timezone.utc), "tags": {"a"}, "pair": ("x", 1)}
    assert _in_process.plain_args(value) == ({"when": "2026-11-29T00:00:00+00:00", "tags": ["a"], "pair": ["x", 1]},
                                             "")


def test_this_python_is_the_same_program_in_the_same_folder(tmp_path, monkeypatch):
    assert is_this_python(sys.executable)
    assert not is_this_python(os.path.basename(sys.executable))  # relative: the module process would search PATH
    # A link to the same program from another folder is another environment (a venv's python links to the base).
    elsewhere = tmp_path / "other" / "python3"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(os.path.realpath(sys.executable))
    assert not is_this_python(str(elsewhere))
    # Two names of one program in one folder (python and python3.11 in a virtual environment) are the same Python.
    for name in ("python", "python3.11"):
        (tmp_path / name).symlink_to(os.path.realpath(sys.executable))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3.11"))
    assert is_this_python(str(tmp_path / "python"))


def test_a_module_named_by_its_short_name_is_named_so_in_messages():
    args = {"site_id": SITE, "colour": "red", "api_url": "http://127.0.0.1:9", "api_token": TOKEN}
    process, here = both_ways("sdx_job_info", args, written="sdx_job_info")
    assert here == process
    assert here["msg"].startswith("Unsupported parameters for (sdx_job_info) module: colour.")


@pytest.mark.parametrize("value", [b"?interface=bridge", object()])
def test_a_value_no_module_process_could_receive_fails_naming_the_option(value):
    result = run_here("sdx_command", {
        "site_id": SITE, "command": "/ip/address/print", "parameters": value, "api_url": "http://127.0.0.1:9",
        "api_token": TOKEN})
    assert result["failed"] is True
    assert result["msg"].startswith("parameters: expected text, a number, a boolean, a list or a dict, got a value "
                                    "of another type")
    assert TOKEN not in repr(result)


def test_python_warnings_of_the_module_stay_inside_as_in_a_module_process(connection, online_site, monkeypatch):
    def warning_jobs(self, *args, **kwargs):
        warnings.warn("Unverified HTTPS request is being made", UserWarning)
        return original(self, *args, **kwargs)
    original = SiteAPI.jobs
    monkeypatch.setattr(SiteAPI, "jobs", warning_jobs)
    gc.collect()  # sockets of earlier tests, whose ResourceWarning would land here
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = run_here("sdx_job_info", {**connection, "site_id": online_site})
    assert not result.get("failed") and result["jobs"] == []  # 2.21 results always hold failed
    assert not seen, [str(warning.message) for warning in seen]


class Swallowing(SDXModule):  # as SystemExit passes an ``except Exception`` in a module process
    argument_spec = {"colour": {"type": "str", "aliases": ["color"]}}

    def run(self) -> None:
        try:
            self.module.exit_json(changed=True, early=True, colour=self.params["colour"])
        except Exception:  # pylint: disable=broad-exception-caught
            pass


class Swallowing(SDXModule):  # as SystemExit passes an ``except Exception`` in a module process
    argument_spec = {"colour": {"type": "str", "aliases": ["color"]}}

    def run(self) -> None:
        try:
            self.module.exit_json(changed=True, early=True, colour=self.params["colour"])
        except Exception:  # pylint: disable=broad-exception-caught
            pass


def test_module_code_catching_exception_cannot_catch_the_end_of_its_run():
    ended = _in_process.run_main(Swallowing.main, {"site_id": SITE, "api_token": TOKEN})
    assert ended.rc == 0
    result = json.loads(ended.stdout)
    assert result["changed"] is True and result["early"] is True


def test_options_may_have_aliases_now_that_the_real_module_runs():
    ended = _in_process.run_main(Swallowing.main, {"site_id": SITE, "api_token": TOKEN, "color": "red"})
    assert json.loads(ended.stdout)["colour"] == "red"


def test_changed_and_failed_stay_booleans_whatever_the_secret(connection, online_site):
    # "True" as a token: masking it must not turn failed: true into the mask, as AnsibleModule keeps booleans.
    process, here = both_ways("sdx_job_info", {**connection, "api_token": "True", "site_id": online_site})
    assert here == process
    assert here["failed"] is True and here["changed"] is False


@pytest.mark.parametrize("no_log", [False, True])
def test_warnings_are_the_same_both_ways(connection, online_site, module_warnings, no_log):
    args = {**connection, "site_id": online_site, "latest": True, "reveal_secrets": True}
    main = importlib.import_module("ansible_collections.altostrat.sdx.plugins.modules.sdx_backup_info").main
    run_module(main, {**args, "_ansible_no_log": no_log})
    process_warnings = list(module_warnings)
    module_warnings.clear()
    here = run_here("sdx_backup_info", args, no_log=no_log)
    assert module_warnings == process_warnings
    assert bool(module_warnings) is not no_log
    assert here.get("warnings", module_warnings) == module_warnings  # 2.16 returns them; later lines display them


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_every_module_supports_check_mode_as_the_action_plugin_says(name):
    assert module_class(name).module_kwargs.get("supports_check_mode") is True
    assert SiteAction._supports_check_mode is True  # pylint: disable=protected-access


class Leaving(SDXModule):
    """A module that changes what a module process keeps to itself: the working directory, the environment, an exit
    handler, a warning."""

    argument_spec = {"mark": {"type": "str"}}
    cleaned: list[str] = []

    def run(self) -> None:
        os.chdir("/")
        os.environ["SDX_TEST_LEFT_BEHIND"] = self.params["mark"]
        atexit.register(Leaving.cleaned.append, self.params["mark"])
        self.module.warn(f"warned by {self.params['mark']}")
        self.result["mark"] = self.params["mark"]


def test_a_loop_runs_each_item_as_its_own_module_process_would(tmp_path, monkeypatch):
    # Several items of a loop run one after another in one worker: each starts as a module process starts.
    monkeypatch.chdir(tmp_path)
    if hasattr(module_warnings, "_global_warnings"):  # 2.16's store: other tests' modules may have left warnings
        monkeypatch.setattr(module_warnings, "_global_warnings", [])
    Leaving.cleaned.clear()
    results = []
    for mark in ("one", "two"):
        ended = _in_process.run_main(Leaving.main, {"site_id": SITE, "api_token": TOKEN, "mark": mark})
        assert Leaving.cleaned[-1] == mark  # its exit handler ran when it ended, not when the worker exits
        results.append(json.loads(ended.stdout))
    assert [result["mark"] for result in results] == ["one", "two"]
    assert os.getcwd() == str(tmp_path) and "SDX_TEST_LEFT_BEHIND" not in os.environ
    # 2.16 returns a module's warnings in its result, from a store that must start empty for each item.
    assert results[1].get("warnings", ["warned by two"]) == ["warned by two"]
    assert not getattr(module_warnings, "_global_warnings", None)


def test_an_error_the_module_does_not_handle_ends_it_as_a_crashed_process(connection):
    def crashing() -> None:
        raise RuntimeError("a bug")
    ended = _in_process.run_main(crashing, {})
    assert ended.rc == 1 and not ended.stdout and "RuntimeError: a bug" in ended.stderr
    result = site_action("altostrat.sdx.sdx_job_info")._module_result(ended)  # pylint: disable=protected-access
    assert result["failed"] is True and "a bug" in result["module_stderr"]


@pytest.mark.parametrize("value, forced", [("true", True), ("1", True), ("false", False), (None, False)])
def test_the_off_switch_forces_a_module_process(monkeypatch, value, forced):
    if value is None:
        monkeypatch.delenv("ANSIBLE_SDX_MODULE_PROCESS", raising=False)
    else:
        monkeypatch.setenv("ANSIBLE_SDX_MODULE_PROCESS", value)
    assert forces_module_process({}) is forced
