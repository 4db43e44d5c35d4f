# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""What the action plugin tells the user while a site module runs: waits as they happen, and, before a task that
the rate limit will stretch over minutes, how long it will take at least."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Optional

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.altostrat.sdx.plugins.module_utils import _progress

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
