# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The site layer: one site of the API (a client and a site id), each of its endpoints, and what a 404 means.

Every call about one site goes through ``SiteAPI`` (``FleetAPI.site`` in ``_fleet_api`` gives one), so a missing
site, job or backup is worded here once, and "is the site unknown, or only the job?" is answered one way
(``find_job``). Answers come back as models.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Optional

from ._client import SDXClient
from ._errors import SDXError
from ._models import Backup, Job, Site, parse_answer, parse_items


class SiteAPI:
    """The endpoints of one site. Errors keep the API's status, type, code and message, with a sentence saying
    what was missing put in front of a 404."""

    def __init__(self, client: SDXClient, site_id: str) -> None:
        self.client = client
        self.id = site_id
        self.jobs_path = f"site/{site_id}/job"
        self.queue_path = f"api/asynchronous/{site_id}"

    def endpoint(self, method: str, path: str) -> str:
        return self.client.endpoint(method, path)

    def waited_for_budget(self) -> float:
        """Seconds the requests of this layer's client have waited so far for their place in the shared rate budget
        (a task's polls subtract it from their pause)."""
        return self.client.waited_for_budget()

    @property
    def missing(self) -> str:
        return f"site {self.id!r} was not found"

    @contextmanager
    def _on_404(self, missing: Optional[str] = None) -> Iterator[None]:
        """A 404 from the calls inside means ``missing`` (the site itself by default): the error says so first."""
        try:
            yield
        except SDXError as error:
            if error.status == 404:
                error.with_context(missing or self.missing)
            raise

    def info(self) -> Optional[Site]:
        """The site (``GET /sites/{siteId}``), or None when SDX does not know it."""
        path = f"sites/{self.id}"
        try:
            answer = self.client.get(path)
        except SDXError as error:
            if error.status == 404:
                return None
            raise
        return parse_answer(Site, answer, self.endpoint("GET", path))

    def tags(self) -> list[str]:
        """The site's tags from its metadata; ``{key, value}`` tags become ``key:value``.

        Raises SDXError when the answer is not the documented metadata object, rather than guess.
        """
        path = f"sites/{self.id}/metadata"
        with self._on_404():
            metadata = self.client.get(path) or {}
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if not isinstance(metadata, dict) or not isinstance(tags, (list, type(None))):
            found = f"tags of type {type(tags).__name__}" if isinstance(metadata, dict) else type(metadata).__name__
            raise SDXError(f"SDX answered GET {path} with {found}, not the documented metadata: an object whose "
                           "tags is a list")
        result = []
        for tag in tags or []:
            if isinstance(tag, dict):
                key, value = tag.get("key") or tag.get("name"), tag.get("value")
                tag = f"{key}:{value}" if key and value is not None else key
            if tag:
                result.append(str(tag))
        return result

    def jobs(self, give_way: bool = False) -> list[Job]:
        """The site's jobs, newest first; ``give_way`` for a poll (see ``job``)."""
        with self._on_404():
            items = self.client.get_list(self.jobs_path, give_way=give_way)
        return parse_items(Job, items, self.endpoint("GET", self.jobs_path))

    def job(self, job_id: str, give_way: bool = False) -> Job:
        """One job; ``give_way`` for a poll, which lets waiting requests of other processes go first."""
        path = f"{self.jobs_path}/{job_id}"
        with self._on_404(f"job {job_id!r} was not found on site {self.id!r}"):
            answer = self.client.get(path, give_way=give_way)
        return parse_answer(Job, answer, self.endpoint("GET", path))

    def find_job(self, job_id: str) -> Optional[Job]:
        """The job, or None when the site has no such job; SDXError when the site itself is unknown.

        A 404 for the job does not tell which of the two is missing; the site's job list does.
        """
        try:
            return self.job(job_id)
        except SDXError as error:
            if error.status != 404:
                raise
        self.jobs()
        return None

    def cancel(self, job_id: str) -> bool:
        """Cancel a pending job; False when it was already gone. SDXError (job_already_started) if it started.

        A cancel whose outcome is unknown is not sent again: the job is read instead, and gone means cancelled.
        """
        try:
            self.client.delete(f"{self.jobs_path}/{job_id}")
        except SDXError as error:
            if error.status == 404:
                return False
            if not error.ambiguous:
                raise
            return self._cancelled_after(error, job_id)
        return True

    def _cancelled_after(self, error: SDXError, job_id: str) -> bool:
        try:
            job = self.job(job_id)
        except SDXError as read_error:
            if read_error.status == 404:
                return True
            raise error.with_context(f"the cancel request got no clear answer and reading the job failed too "
                                     f"({read_error.message}); the outcome is unknown, re-running is safe")
        if job.status == "cancelled":
            return True
        raise error.with_context(f"the cancel request got no clear answer and job {job_id} is still "
                                 f"{job.status}; re-running is safe")

    def queue_script(self, payload: dict[str, Any]) -> Any:
        """``POST /api/asynchronous/{siteId}`` once; the raw answer (read by the caller, who reconciles errors)."""
        with self._on_404():
            return self.client.post(self.queue_path, payload)

    def run_command(self, path: str, parameters: Any) -> list[Any]:
        """A synchronous RouterOS command (``POST /api/synchronous/{siteId}``); the records the router answered."""
        body: dict[str, Any] = {"command": path}
        if parameters is not None:
            body["parameters"] = parameters
        try:
            with self._on_404():
                answer = self.client.post(f"api/synchronous/{self.id}", body)
        except SDXError as error:
            if error.code == "site_offline":
                raise error.with_context(f"site {self.id!r} is offline, and synchronous commands need it online")
            raise
        if isinstance(answer, dict) and "data" in answer:
            answer = answer["data"]
        if not isinstance(answer, list):
            raise SDXError(f"SDX answered the command on site {self.id!r} with something that is not a list")
        return answer

    def backups(self, give_way: bool = False) -> list[Backup]:
        """The site's backups as SDX lists them (``GET /backup/{siteId}``), in the API's order."""
        with self._on_404():
            items = self.client.get_list(f"backup/{self.id}", give_way=give_way)
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
                raise SDXError(f"SDX listed a backup of site {self.id!r} without a filename: {str(item)[:120]}")
        return parse_items(Backup, items, self.endpoint("GET", f"backup/{self.id}"))

    def request_backup(self) -> None:
        """Ask SDX for a new backup (``POST /backup/{siteId}``, 202); it appears in the list later."""
        with self._on_404():
            self.client.request("POST", f"backup/{self.id}")

    def backup(self, filename: str) -> Backup:
        """One backup with its ``content`` (``GET /backup/{siteId}/{filename}``)."""
        path = f"backup/{self.id}/{filename}"
        with self._on_404(f"backup {filename!r} was not found on site {self.id!r}"):
            answer = self.client.get(path)
        if not isinstance(answer, dict) or not isinstance(answer.get("content"), str):
            raise SDXError(f"SDX answered backup {filename!r} of site {self.id!r} without its content")
        return parse_answer(Backup, {"filename": filename, **answer}, self.endpoint("GET", path))
