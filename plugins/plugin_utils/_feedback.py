# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""What the action plugin tells the user while a site module runs: waits as they happen, before a task that the
rate limit will stretch over minutes how long it will take at least, and in a failure which site it was by name."""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Optional

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.altostrat.sdx.plugins.module_utils import _progress
from ansible_collections.altostrat.sdx.plugins.module_utils._jobs import named_label
from ansible_collections.altostrat.sdx.plugins.plugin_utils._inventory import SITE_NAME_VARIABLE, SITE_VARIABLE

DEFAULT_RATE_LIMIT = 60
# The fewest requests one task of each module makes per host (a wait polls at least once).
# rollout_site: the site's read, then the script's queue, job list and a poll.
REQUESTS = {"sdx_async_script": 2, "sdx_backup": 2, "sdx_backup_info": 1, "sdx_command": 1, "sdx_job": 2,
            "sdx_job_info": 1, "sdx_site_info": 1, "rollout_site": 4}


def rate_limit(args: Mapping[str, Any]) -> int:
    """The requests per minute the task's modules keep to: the task's rate_limit, else SDX_RATE_LIMIT, else 60."""
    value = args.get("rate_limit")
    if value in (None, ""):
        value = os.environ.get("SDX_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0  # the module itself says what is wrong with it


def expected_requests(module: str, args: Mapping[str, Any], hosts: int) -> int:
    """The fewest requests the task makes over ``hosts`` hosts."""
    per_host = REQUESTS.get(module, 1)
    if module == "sdx_async_script" and boolean(args.get("wait", False), strict=False):
        per_host += 1
    if module == "sdx_site_info" and not args.get("site_id"):
        return 1  # one list of every site, whichever host asks
    return per_host * hosts


def fleet_line(module: str, args: Mapping[str, Any], task_vars: Mapping[str, Any]) -> Optional[str]:
    """The up-front line of a task the rate limit stretches over minutes, for its batch's first host only."""
    batch = task_vars.get("ansible_play_batch") or []
    if not batch or task_vars.get("inventory_hostname") != batch[0]:
        return None
    requests = expected_requests(module.rpartition(".")[2], args, len(batch))
    estimate = _progress.fleet_estimate(requests, rate_limit(args))
    return f"{module} on {len(batch)} hosts: {estimate}" if estimate else None


@contextmanager
def live_lines(show: Callable[[str], None], host: Optional[str]) -> Iterator[None]:
    """Progress lines of the module run inside, shown at once through ``show`` and prefixed with the host."""
    prefix = f"[{host}] " if host else ""
    with _progress.reporting(lambda line: show(prefix + line)):
        yield


def host_site_name(site_id: Optional[str], task_vars: Mapping[str, Any]) -> Optional[str]:
    """The name of site ``site_id`` as the host's variables give it: ``sdx_site_name`` of the host whose
    ``sdx_site_id`` it is (or, from an inventory cache written before that variable, ``sdx_name`` beside
    ``sdx_id``); None for another site, or a host without them. No request is made for a name."""
    if not site_id:
        return None
    for id_variable, name_variable in ((SITE_VARIABLE, SITE_NAME_VARIABLE), ("sdx_id", "sdx_name")):
        name = task_vars.get(name_variable)
        if task_vars.get(id_variable) == site_id and isinstance(name, str) and name.strip():
            return name
    return None


def name_the_site(message: str, site_id: str, name: Optional[str]) -> str:
    """``message`` with site ``site_id`` written ``'<name>' (<id>)`` where it stands alone (bare or quoted). An ID
    already in parentheses (named from an answer) and one inside a path (an endpoint) are left as they are."""
    if not name or site_id not in message:
        return message
    alone = re.compile(rf"(?<![(/\w-])(')?{re.escape(site_id)}(?(1)')(?![/\w-])")
    return alone.sub(lambda _match: named_label(site_id, name), message)


def named_in_output(stdout: str, site_id: str, name: str) -> str:
    """A module's JSON output with the failure message naming the site (``name_the_site``); any other output, or
    output that is not one JSON object, as it is."""
    if site_id not in stdout:
        return stdout
    try:
        result = json.loads(stdout)
    except ValueError:
        return stdout
    message = result.get("msg") if isinstance(result, dict) and result.get("failed") else None
    if not isinstance(message, str):
        return stdout
    renamed = name_the_site(message, site_id, name)
    return stdout if renamed == message else json.dumps({**result, "msg": renamed})
