"""A site module run in its action plugin answers what its module process answers: the same options checked the
same way, the same result, the same masked secrets. Each case runs both ways against one simulator."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from datetime import datetime, timezone

import pytest
from ansible import constants as C
from ansible.release import __version__ as ANSIBLE_VERSION

from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _controller
from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import MODULES, is_this_python

from tests.unit.compat import run_module
from tests.unit.conftest import TOKEN

SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
INJECTS = bool(C.config.get_configuration_definition("INJECT_INVOCATION"))
# ansible-core 2.19 and later raise OverflowError for int("inf"); older lines report a conversion error.
OVERFLOWS = tuple(int(part) for part in ANSIBLE_VERSION.split(".")[:2]) >= (2, 19)


def both_ways(name: str, args: dict, *, check_mode: bool = False, diff: bool = False, no_log: bool = False,
              written: str | None = None):
    """The result of module ``name`` from a module process's main() and from the action plugin's run, the task
    naming the module as ``written`` (its full name by default)."""
    full = f"altostrat.sdx.{name}"
    written = written or full
    main = importlib.import_module(f"ansible_collections.altostrat.sdx.plugins.modules.{name}").main
    internal = {"_ansible_check_mode": check_mode, "_ansible_diff": diff, "_ansible_no_log": no_log,
                "_ansible_module_name": written}
    if INJECTS:  # ansible-core 2.21 adds invocation to a module's result only when asked to
        internal["_ansible_inject_invocation"] = True
    process = run_module(main, {**args, **internal})
    here = _controller.run_module(written, args, resolved=full, check_mode=check_mode, diff=diff, no_log=no_log)
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


def test_a_queued_script_and_its_rerun_report_the_same_both_ways(connection, online_site, simulator):
    args = {**connection, "site_id": online_site, "description": "Both ways", "script": "/system identity print"}
    first = _controller.run_module("altostrat.sdx.sdx_async_script", args, check_mode=False, diff=False,
                                   no_log=False)
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


def test_the_token_is_masked_everywhere_in_the_result(connection):
    args = {**connection, "api_token": "alto_sk_wrong_token_for_masking", "site_id": SITE}
    process, here = both_ways("sdx_job_info", args)
    assert here == process
    assert here["invocation"]["module_args"]["api_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert "alto_sk_wrong_token_for_masking" not in repr(here)


def test_warnings_are_returned_in_the_result_unless_no_log(connection, online_site):
    args = {**connection, "site_id": online_site, "latest": True, "reveal_secrets": True}
    warned = _controller.run_module("altostrat.sdx.sdx_backup_info", args, check_mode=False, diff=False,
                                    no_log=False)
    assert any("reveal_secrets" in warning for warning in warned["warnings"])
    quiet = _controller.run_module("altostrat.sdx.sdx_backup_info", args, check_mode=False, diff=False,
                                   no_log=True)
    assert "warnings" not in quiet


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_routed_module_has_exactly_one_class_to_run(name):
    cls = _controller.module_class(f"altostrat.sdx.{name}")
    assert cls.argument_spec  # each module adds its own options to the connection options


def test_results_hold_json_types_only():
    value = {"when": datetime(2026, 11, 29, tzinfo=timezone.utc), "tags": {"a"}, "pair": ("x", 1)}
    assert _controller.plain(value) == {"when": "2026-11-29T00:00:00+00:00", "tags": ["a"], "pair": ["x", 1]}


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
    result = _controller.run_module("altostrat.sdx.sdx_command", {
        "site_id": SITE, "command": "/ip/address/print", "parameters": value, "api_url": "http://127.0.0.1:9",
        "api_token": TOKEN}, check_mode=False, diff=False, no_log=False)
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
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = _controller.run_module("altostrat.sdx.sdx_job_info", {**connection, "site_id": online_site},
                                        check_mode=False, diff=False, no_log=False)
    assert "failed" not in result and result["jobs"] == []
    assert not seen


def test_module_code_catching_exception_cannot_catch_the_end_of_its_run():
    class Swallowing(SDXModule):  # as SystemExit passes an ``except Exception`` in a module process
        argument_spec = {"site_id": {"type": "str"}}

        def run(self) -> None:
            try:
                self.module.exit_json(changed=True, early=True)
            except Exception:  # pylint: disable=broad-exception-caught
                pass

    module = _controller.TaskModule("t", {}, check_mode=False, diff=False, no_log=False)
    assert _controller._ended(module, Swallowing, "") == {"changed": True, "early": True}  # pylint: disable=protected-access


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
    here = _controller.run_module("altostrat.sdx.sdx_backup_info", args, check_mode=False, diff=False, no_log=no_log)
    assert here.get("warnings", []) == module_warnings
    assert bool(module_warnings) is not no_log


@pytest.mark.parametrize("name", sorted(MODULES))
def test_the_validator_takes_every_rule_a_module_gives_and_no_option_has_aliases(name):
    cls = _controller.module_class(f"altostrat.sdx.{name}")
    # A module keyword the validator does not take, or an alias (whose warnings the validator keeps to itself),
    # would make the two ways differ; neither exists, and this keeps it so.
    assert set(cls.module_kwargs) <= set(_controller._RULES) | {"supports_check_mode"}  # pylint: disable=protected-access
    assert cls.module_kwargs.get("supports_check_mode") is True
    for option in cls.full_argument_spec().values():
        assert not {"aliases", "deprecated_aliases", "removed_in_version", "removed_at_date", "options"} & set(option)
