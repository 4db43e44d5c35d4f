# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""altostrat.sdx.fleet_watch: poll SDX for sites going online/offline and for job status changes."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # the collection is importable only once _events_module has run
    from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI
    from ansible_collections.altostrat.sdx.plugins.module_utils._models import Job, Site

DOCUMENTATION = r"""
---
short_description: Poll SDX for site and job changes, as events.
description:
  - An ansible-rulebook event source for controllers that SDX cannot call. Every O(interval) it reads
    C(GET /sites) and the job list (C(GET /site/{id}/job)) of each site in O(job_sites).
  - A site event is emitted when a site goes online or offline. A job event is emitted for a job first seen
    after the start (with its current status), when a known job changes status, and as C(cancelled) when a
    pending job disappears from the list.
  - At start it records the state and emits nothing, unless O(emit_initial=true).
  - One interval costs 1 + (number of job sites) requests. They are spread evenly over the interval and spend
    the shared rate budget of the modules (polls give way to module requests that are waiting). When the
    budget is smaller than the cost, a cycle takes longer than O(interval).
  - A failed read is logged and tried again at the next interval; the source never stops on a bad answer.
  - Each event holds one C(sdx) dictionary with C(kind), C(status), C(previous_status), C(site_id), C(job_id),
    C(idempotency_key), C(site) and C(job).
options:
  interval:
    description: Seconds between the starts of two polls.
    type: float
    default: 60
  job_sites:
    description:
      - Site ids whose jobs are watched. Omitted or null means every site of C(GET /sites); an empty list
        watches no jobs (site events only).
    type: list
    elements: str
  emit_initial:
    description: Emit an event for every site and job seen by the first poll.
    type: bool
    default: false
  api_url:
    description: SDX API base URL (env C(SDX_API_URL)).
    type: str
    default: https://v1.api.altostrat.io
  api_token:
    description: SDX API token (env C(SDX_API_TOKEN)). Prefer the variable, so the token stays out of rulebooks.
    type: str
  validate_certs:
    description: Verify the API's TLS certificate (env C(SDX_VALIDATE_CERTS)).
    type: bool
    default: true
  ca_path:
    description: CA bundle for the API's certificate.
    type: str
  timeout:
    description: Seconds per API request.
    type: float
    default: 30
  rate_limit:
    description: Requests per minute of the shared budget (env C(SDX_RATE_LIMIT)); 0 turns it off.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Watch the fleet
  hosts: localhost
  sources:
    - altostrat.sdx.fleet_watch:
        interval: 60
        job_sites:
          - 9c69345c-8d39-4786-9f17-8153c988c89a
  rules:
    - name: A router went offline
      condition: event.sdx.kind == "site" and event.sdx.status == "offline"
      action:
        debug:
          msg: "{{ event.sdx.site.name }} is offline"
"""

logger = logging.getLogger(__name__)


def _events_module() -> ModuleType:
    """The collection's event helpers, also when ansible-rulebook runs this file by path."""
    try:
        from ansible_collections.altostrat.sdx.plugins.module_utils import _events  # pylint: disable=import-outside-toplevel
    except ImportError:
        # ansible-rulebook loads sources with runpy, without Ansible's collection loader: make the
        # ansible_collections directory that holds this file importable, then try again.
        collections_dir = Path(__file__).absolute().parents[6]
        if collections_dir.name != "ansible_collections":
            raise
        sys.path.append(str(collections_dir.parent))
        from ansible_collections.altostrat.sdx.plugins.module_utils import _events  # pylint: disable=import-outside-toplevel
    return _events


def settings_from(args: dict[str, Any], events: ModuleType) -> dict[str, Any]:
    """The checked options; ValueError names the first bad one."""
    interval = events.as_number(args.get("interval", 60), "interval", float)
    if interval <= 0:
        raise ValueError(f"interval: expected a number of seconds above 0, got {args.get('interval')!r}")
    job_sites = args.get("job_sites")
    if job_sites is not None and (not isinstance(job_sites, list) or not all(isinstance(s, str) for s in job_sites)):
        raise ValueError(f"job_sites: expected a list of site ids, got {job_sites!r}")
    return {"interval": interval, "job_sites": job_sites,
            "emit_initial": events.as_bool(args.get("emit_initial", False), "emit_initial")}


class Watcher:
    """One poll cycle after another: read, compare with the last answers, put events on the queue."""

    def __init__(self, queue: asyncio.Queue, settings: dict[str, Any], events: ModuleType, fleet: FleetAPI) -> None:
        self.queue = queue
        self.settings = settings
        self.events = events
        self.fleet = fleet
        self.state = events.FleetState(settings["emit_initial"])
        self.warned_budget = False

    async def _read(self, what: str, read: Callable[..., Any], *args: Any) -> Any:
        """One read in a worker thread (the client blocks); None after logging when it fails."""
        try:
            return await asyncio.to_thread(read, *args)
        except Exception as error:  # pylint: disable=broad-exception-caught  # one bad answer never stops the source
            logger.warning("fleet_watch: reading %s failed, trying again next interval: %s", what, error)
            return None

    def _sites(self) -> list[Site]:
        return self.fleet.sites()

    def _jobs(self, site_id: str) -> list[Job]:
        return self.fleet.site(site_id).jobs(give_way=True)

    async def _emit(self, found: list[dict[str, Any]]) -> None:
        for event in found:
            await self.queue.put(event)

    def job_site_ids(self) -> list[str]:
        if self.settings["job_sites"] is not None:
            return list(self.settings["job_sites"])
        return list(self.state.sites or {})

    def _check_budget(self, reads: int) -> None:
        rate_limit = self.fleet.rate_limit
        if rate_limit is None or self.warned_budget:
            return
        needed = reads * 60.0 / self.settings["interval"]
        if needed > rate_limit:
            self.warned_budget = True
            logger.warning("fleet_watch: %d reads every %g s need %.0f requests a minute, more than the budget of "
                           "%d; each poll will take longer than the interval", reads, self.settings["interval"],
                           needed, rate_limit)

    async def poll(self) -> None:
        """One cycle: GET /sites, then each job site's list, spread evenly over the interval."""
        sites = await self._read("GET /sites", self._sites)
        if sites is not None:
            await self._emit(await self._guard("sites", self.state.sites_seen, sites))
        job_sites = self.job_site_ids()
        self._check_budget(1 + len(job_sites))
        gap = self.settings["interval"] / (1 + len(job_sites))
        for site_id in job_sites:
            await asyncio.sleep(gap)
            jobs = await self._read(f"the jobs of site {site_id}", self._jobs, site_id)
            if jobs is not None:
                await self._emit(await self._guard(f"the jobs of site {site_id}", self.state.jobs_seen, site_id, jobs))

    async def _guard(self, what: str, compare: Callable[..., list[dict[str, Any]]], *args: Any) -> list[dict[str, Any]]:
        try:
            return compare(*args)
        except Exception as error:  # pylint: disable=broad-exception-caught  # e.g. a job that fails validation
            logger.warning("fleet_watch: could not use the answer for %s: %s", what, error)
            return []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await self.poll()
            await asyncio.sleep(max(0.0, self.settings["interval"] - (loop.time() - started)))


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """Poll until ansible-rulebook cancels the source."""
    events = _events_module()
    settings = settings_from(args, events)
    fleet = events.make_fleet(args, agent="fleet_watch")
    await Watcher(queue, settings, events, fleet).run()
