# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Rollouts: where a user's relative paths resolve, each site's outcome, report rows, config diff groups. The
report as text and JUnit XML is in ``_rollout_text``."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import datetime
from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.altostrat.sdx.plugins.module_utils._models import parse_moment
from ansible_collections.altostrat.sdx.plugins.plugin_utils._inventory import SITE_VARIABLE
from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout_config import (
    command_groups, commands_of, configured)

STATUSES = ("completed", "unchanged", "queued", "skipped_offline", "failed", "reverted", "unknown", "not_run")
# A site in one of these did not take the change as asked: it fails the run, and counts towards a batch's stop.
# reverted: confirm_timeout's revert ran on the router after contact was lost; unknown: the module could not tell
# whether the change holds (or whether it was queued).
FAILED_STATUSES = ("failed", "reverted", "unknown")
# The two ways a site is not run: the role left it alone, or the role never ran on it (the report says so).
STOPPED_MESSAGE = "not reached: the rollout stopped after a batch failed beyond {percent}%"
NO_RESULT_MESSAGE = "not reached: no rollout result for this host, the role did not run on it in this play"
# Once a batch failed beyond rollout_max_fail_percentage, the role keeps that value on localhost and hands it to each
# later site's altostrat.sdx.rollout_site; a host that holds it and no result is reported as left alone.
STOPPED_VARIABLE = "_script_rollout_stopped"
# The host variables that name a site, first found wins: the role's input, then the inventory's site variable.
SITE_VARIABLES = ("rollout_site_id", SITE_VARIABLE)
# A playbook file inside an installed collection is not the user's own folder.
_COLLECTION_PLAYBOOK = re.compile(r"[/\\]ansible_collections[/\\][^/\\]+[/\\][^/\\]+[/\\]playbooks[/\\]")
# Characters a report must not carry raw: C0 and C1 controls (ANSI escapes start with \x1b), DEL, lone
# surrogates, and the two non-characters XML 1.0 forbids. They are written visibly escaped (\x1b).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(value: Any, keep: str = "") -> Any:
    """``value`` with every control character written as an escape (``\\x01``), except those in ``keep``.

    Strings from the API (a site's name, a message quoting its ``last_seen_at``) reach the terminal table,
    the JSON report and the JUnit XML, where a raw control character is an ANSI code or ill-formed XML.
    """
    if not isinstance(value, str):
        return value

    def _escape(match: re.Match) -> str:
        char = match[0]
        if char in keep:
            return char
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNPRINTABLE.sub(_escape, value)


def user_folder(cli_playbooks: Sequence[str], cwd: str) -> str:
    """The folder a user's relative paths mean: their own playbook's, else the current directory.

    ``ansible-playbook altostrat.sdx.rollout`` names no file of the user's, so paths are relative to ``cwd``.
    ``ansible-playbook project/rollout.yml``, which imports the collection playbook, makes ``project/`` the
    folder, as Ansible does for the user's own tasks.
    """
    for playbook in cli_playbooks:
        path = os.path.abspath(os.path.join(cwd, os.path.expanduser(str(playbook))))
        if os.path.isfile(path) and not _COLLECTION_PLAYBOOK.search(path):
            return os.path.dirname(path)
    return cwd


def resolve_path(path: Any, cli_playbooks: Sequence[str], cwd: str) -> str:
    """An absolute path: ``path`` itself when absolute (after ``~``), else joined to ``user_folder``."""
    text = os.path.expanduser(str(path))
    if not os.path.isabs(text):
        text = os.path.join(user_folder(cli_playbooks, cwd), text)
    return os.path.normpath(text)


_BATCH = re.compile(r"(?:[1-9][0-9]*|(?:100|[1-9][0-9]?)(?:\.[0-9]+)?%)\Z")


def batches(value: Any) -> list[Any]:
    """``rollout_serial`` as the play's ``serial`` takes it: a list of batch sizes, each a count or a percentage.

    ``-e rollout_serial=4`` and ``-e 'rollout_serial=[1,"50%"]'`` give text; it is read as YAML, as the ``-e``
    JSON form would have given it. ValueError names the option and what it takes.
    """
    import yaml  # pylint: disable=import-outside-toplevel

    given = value
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value) if value.strip() else value
        except yaml.YAMLError:
            pass
    items = value if isinstance(value, list) else [value]
    checked = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not _BATCH.match(str(item).strip()):
            raise ValueError(f"rollout_serial: expected a batch size (a count such as 4 or a percentage such as "
                             f"\"25%\") or a list of them such as [1, \"10%\", \"100%\"], got {given!r}")
        checked.append(int(item) if isinstance(item, int) or str(item).strip().isdigit() else str(item).strip())
    if not checked:
        raise ValueError(f"rollout_serial: expected at least one batch size, got {given!r}")
    return checked


def site_result(outcome: str, host: str, site_id: Any, **facts: Any) -> dict[str, Any]:
    """The ``script_rollout_result`` of ``host``: a site's status and message are decided here, and only here.

    ``outcome`` names what the role saw, ``facts`` what it registered on the way (see ``OUTCOMES``).
    Every result has the same keys; a site without a job has ``None`` for the job's.
    """
    decide = OUTCOMES.get(outcome)
    if decide is None:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}; got {outcome!r}")
    try:
        status, message, job = decide(**facts)
    except TypeError as error:  # a missing or unexpected fact: name the outcome and the facts it takes
        raise ValueError(f"outcome {outcome!r}: {error}") from None
    result = {"site": host, "site_id": site_id, "status": status, **_job_fields(job), "message": message}
    # The module reads a diff only for a job that completed in this run; a failed site's is not reported.
    if outcome == "configured" or outcome == "failed" and commands_of(job) is not None:
        result["commands"] = commands_of(job)
    if outcome == "ran" and isinstance(job.get("config_diff"), str):
        result["config_diff"] = job["config_diff"]
    return result


def _job_fields(job_result: Mapping[str, Any]) -> dict[str, Any]:
    """What the report keeps of an altostrat.sdx.sdx_async_script result: whether it queued, and the job's times."""
    job = job_result.get("job") or {}
    return {
        "changed": bool(job_result.get("changed")),
        "job_id": job.get("id") or None,
        "queued": job.get("created_at") or None,
        "started": job.get("started_at") or None,
        "finished": job.get("completed_at") or job.get("failed_at") or None,
    }


def _stopped(max_fail_percentage: Any) -> tuple[str, str, Mapping[str, Any]]:
    """An earlier batch failed beyond the threshold, and the role left this site alone."""
    return "not_run", STOPPED_MESSAGE.format(percent=max_fail_percentage), {}


def _offline(site: Mapping[str, Any]) -> tuple[str, str, Mapping[str, Any]]:
    """The site (as altostrat.sdx.sdx_site_info returned it) is offline, and offline sites are skipped."""
    return "skipped_offline", f"offline since {site.get('last_seen_at') or '?'}; nothing queued", {}


# How much of the router's answer a failed verify quotes.
VERIFY_ANSWER_SHOWN = 400


def _ran(job: Mapping[str, Any], wait: Any, check_mode: Any, verify: Optional[Mapping[str, Any]] = None,
         verify_expect: str = "", verify_command: str = "") -> tuple[str, str, Mapping[str, Any]]:
    """The script task succeeded: an equal job existed, or it queued one, and waited for it or not.

    ``verify`` is the verify command's registered result; a skipped one (no command, no wait) verified nothing.
    With ``verify_expect``, its output (as JSON text) must match that regular expression, or the site failed; the
    message then quotes what the router answered.
    """
    verified = bool(verify) and not verify.get("skipped")
    if verified and verify_expect:
        answer = json.dumps(verify.get("output"))
        if not re.search(verify_expect, answer):
            shown = answer if len(answer) <= VERIFY_ANSWER_SHOWN else answer[:VERIFY_ANSWER_SHOWN] + " ..."
            return ("failed", f"verify: the output of {verify_command or 'the verify command'} does not match "
                              f"{verify_expect}; the router answered: {shown}", job)
    if not job.get("changed"):
        return "unchanged", f"an equal job was already {(job.get('job') or {}).get('status')}", job
    if boolean(check_mode, strict=False):
        return "queued", "would queue the script (check mode)", job
    if not boolean(wait, strict=False):
        return "queued", "queued the script", job
    confirmed = ", confirmed" if job.get("outcome") == "confirmed" else ""
    return "completed", "job completed" + confirmed + (", verified" if verified else ""), job


def _failed(error: Mapping[str, Any], job: Optional[Mapping[str, Any]] = None) -> tuple[str, str, Mapping[str, Any]]:
    """A task failed (``error`` is its result); ``job`` is the change task's result when it got that far. Its
    ``outcome`` tells a change that was reverted, or whose fate is unknown, from any other failure."""
    job = job or {}
    outcome = job.get("outcome")
    status = outcome if outcome in ("reverted", "unknown") else "failed"
    return status, str(error.get("msg") or job.get("msg") or "failed"), job


# What the role can see of a site, each with the facts it gives site_result.
def _configured(config: Mapping[str, Any], wait: Any, check_mode: Any) -> tuple[str, str, Mapping[str, Any]]:
    """The altostrat.sdx.sdx_config task of a declarative change (``rollout_config``) succeeded."""
    return configured(config, wait, check_mode)


OUTCOMES = {"stopped": _stopped, "offline": _offline, "ran": _ran, "configured": _configured, "failed": _failed}


def _moment(value: Any) -> Optional[datetime]:
    """An API timestamp as an aware datetime. SDX writes UTC; one without an offset is read as UTC."""
    return parse_moment(str(value)) if value else None


def _timestamp(value: Any) -> Optional[str]:
    moment = _moment(value)
    return moment.isoformat() if moment else None


def _seconds_between(start: Any, end: Any) -> Optional[float]:
    first, last = _moment(start), _moment(end)
    if first is None or last is None:
        return None
    return round((last - first).total_seconds(), 1)


def row(host: str, result: Optional[Mapping[str, Any]], site_id: Any = None) -> dict[str, Any]:
    """One site's line of the report. A host without a result says only that: nothing is known of it."""
    recorded = dict(result or {})
    # A task that failed before it could decide (a template that does not render) recorded only its error.
    status = str(recorded.get("status") or ("failed" if recorded.get("failed") else "not_run"))
    return {
        "site": printable(str(recorded.get("site") or host)),
        "site_id": printable(recorded.get("site_id") or site_id or None),
        "status": printable(status),
        "job_id": printable(recorded.get("job_id") or None),
        "queued": _timestamp(recorded.get("queued")),
        "started": _timestamp(recorded.get("started")),
        "finished": _timestamp(recorded.get("finished")),
        # the site's own job, from queued to finished, whatever else its batch waited for
        "duration": _seconds_between(recorded.get("queued"), recorded.get("finished")),
        "changed": bool(recorded.get("changed")),
        "message": printable(str(recorded.get("message") or recorded.get("msg") or ("" if result else NO_RESULT_MESSAGE))),
        # what a declarative change needed on the site (sdx_config's commands); None for a script
        "commands": recorded.get("commands") if isinstance(recorded.get("commands"), list) else None,
    }


def recorded_result(registered: Any) -> Any:
    """A host's rollout result: the ``rollout`` of what the role registered from altostrat.sdx.rollout_site, or the
    result itself when a play of your own set it with the rollout_result filter."""
    if isinstance(registered, Mapping) and isinstance(registered.get("rollout"), Mapping):
        return registered["rollout"]
    return registered


def _site_id(variables: Mapping[str, Any]) -> Any:
    return next((variables[name] for name in SITE_VARIABLES if variables.get(name)), None)


def build_report(hostvars: Mapping[str, Any], hosts: Iterable[str], description: str,
                 check_mode: bool = False, config_diff: bool = False, reached_only: bool = False) -> dict[str, Any]:
    """The report over ``hosts``: counts, whether the rollout stopped, one row per host, config diff groups.

    A site's recorded ``config_diff`` (a string, present only when the role read one) joins the grouping
    when its job completed in this run; ``config_diff`` says the rollout asked for them.
    """
    rows, stopped, changes = [], False, []
    for host in hosts:
        variables = hostvars.get(host) or {}
        result = recorded_result(variables.get("script_rollout_result"))
        if result is None and variables.get(STOPPED_VARIABLE) is not None:  # a later batch the role left alone
            result = site_result("stopped", host, _site_id(variables),
                                 max_fail_percentage=variables[STOPPED_VARIABLE])
        if result is None and reached_only:
            continue
        rows.append(row(host, result, _site_id(variables)))
        # Only the role records not_run: for a site it left alone after a batch failed.
        stopped = stopped or bool(result) and rows[-1]["status"] == "not_run"
        if isinstance(result, Mapping) and isinstance(result.get("config_diff"), str):
            changes.append({"site": rows[-1]["site"], "status": rows[-1]["status"],
                            "diff": printable(result["config_diff"], keep="\n\t")})
    counts = Counter(item["status"] for item in rows)
    return {
        "description": printable(description),
        "check_mode": bool(check_mode),
        "total": len(rows),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "stopped": stopped,
        "succeeded": not any(counts.get(status, 0) for status in (*FAILED_STATUSES, "not_run")),
        "sites": rows,
        "config_diff": bool(config_diff or changes),
        "config_diffs": group_changes(changes),
        "command_groups": command_groups(rows),
    }


def change_key(diff: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a diff changes, whatever its context and line numbers: (removed lines, added lines), sorted."""
    removed, added, in_hunk = [], [], False
    for line in diff.splitlines():
        if line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line.startswith("-"):
            removed.append(line[1:])
        elif in_hunk and line.startswith("+"):
            added.append(line[1:])
    return tuple(sorted(removed)), tuple(sorted(added))


def group_changes(sites: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sites grouped by identical change, largest group first: ``[{diff, sites}]``.

    Each item of ``sites`` has ``site``, ``status`` and ``diff``. Only completed jobs with a diff are
    grouped; a completed job that changed nothing has the empty diff and forms its own group. A group's
    ``diff`` is that of its first site (by name).
    """
    groups: dict[tuple, list[tuple[str, str]]] = {}
    for item in sites:
        diff = item.get("diff")
        if item.get("status") != "completed" or not isinstance(diff, str):
            continue
        groups.setdefault(change_key(diff), []).append((str(item.get("site")), diff))
    result = []
    for members in groups.values():
        members.sort()
        result.append({"diff": members[0][1], "sites": [name for name, _diff in members]})
    return sorted(result, key=lambda group: (-len(group["sites"]), group["sites"][0]))
