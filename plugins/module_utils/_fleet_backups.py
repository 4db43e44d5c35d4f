# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The newest backup of many sites: 50 a request through ``POST /backups/latest``, else two requests a site.

The bulk endpoint is documented on the older API host only. Whether the host in use serves it is checked by the
first batch itself, at no extra cost: a 404 (or 405) there means it does not, and the rest is read site by site
(``GET /backup/{siteId}``, then the newest file), with a warning that names the assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ._backups import newest_first
from ._client import SDXClient
from ._errors import SDXError
from ._models import Backup, parse_answer
from ._site_api import SiteAPI

BULK_PATH = "backups/latest"
BULK_SIZE = 50
NOT_SERVED = (404, 405)
ASSUMPTION = ("assumed: the API host serves POST /backups/latest, which SDX documents on its older host only "
              "(api.altostrat.io), with 1 to 50 site ids a request")


@dataclass
class LatestBackups:
    """Each site's newest backup (with its content), why the others have none, and how they were read."""

    backups: dict[str, Backup] = field(default_factory=dict)
    missing: dict[str, dict[str, Any]] = field(default_factory=dict)
    bulk: bool = True
    requests: int = 0
    warning: Optional[str] = None


def latest_backups(client: SDXClient, site_ids: list[str], bulk: bool = True) -> LatestBackups:
    """The newest backup of every site in ``site_ids`` (duplicates read once)."""
    wanted = list(dict.fromkeys(site_ids))
    found = LatestBackups(bulk=bulk)
    if bulk and wanted:
        try:
            _read_in_bulk(client, wanted, found)
            return found
        except SDXError as error:
            if error.status not in NOT_SERVED or found.requests > 1:
                raise
            found.bulk = False
            found.warning = (f"{ASSUMPTION}; it answered {client.endpoint('POST', BULK_PATH)} with HTTP "
                             f"{error.status}, so each site's newest backup is read on its own (two requests a site)")
    found.bulk = False
    for site_id in wanted:
        _read_one(SiteAPI(client, site_id), found)
    return found


def _read_in_bulk(client: SDXClient, site_ids: list[str], found: LatestBackups) -> None:
    for start in range(0, len(site_ids), BULK_SIZE):
        batch = site_ids[start:start + BULK_SIZE]
        found.requests += 1
        answer = client.post(BULK_PATH, {"sites": batch})
        results, errors = _bulk_parts(client, answer)
        for site_id in batch:
            item = results.get(site_id)
            if isinstance(item, dict) and isinstance(item.get("content"), str):
                found.backups[site_id] = parse_answer(Backup, item, client.endpoint("POST", BULK_PATH))
            else:
                found.missing[site_id] = _error_of(errors.get(site_id), site_id)


def _bulk_parts(client: SDXClient, answer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``results`` and ``errors`` of a bulk answer, keyed by site id; SDXError naming the assumption otherwise."""
    if isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        answer = answer["data"]
    results = answer.get("results") if isinstance(answer, dict) else None
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if not isinstance(results, dict) or not isinstance(errors, (dict, list, type(None))):
        raise SDXError(f"SDX answered {client.endpoint('POST', BULK_PATH)} without the documented "
                       f"{{results, total_sites, successful, errors}} (assumed: results is an object keyed by site "
                       f"id, each the newest backup with its content): {str(answer)[:200]}")
    if isinstance(errors, list):  # no shape is documented for errors: a list of {site_id, ...} is read too
        errors = {str(item.get("site_id") or item.get("site")): item for item in errors if isinstance(item, dict)}
    return results, errors or {}


def _error_of(error: Any, site_id: str) -> dict[str, Any]:
    if isinstance(error, dict):
        return {"code": error.get("code"), "message": str(error.get("message") or error.get("error") or error)}
    if error:
        return {"code": None, "message": str(error)}
    return {"code": None, "message": f"SDX returned no backup for site {site_id!r} and no reason"}


def _read_one(site: SiteAPI, found: LatestBackups) -> None:
    def counted(call: Callable[[], Any]) -> Any:
        found.requests += 1
        return call()

    try:
        listed = newest_first(counted(site.backups))
        if not listed:
            found.missing[site.id] = {"code": "no_backups", "message": f"site {site.id!r} has no backups yet"}
            return
        found.backups[site.id] = counted(lambda: site.backup(listed[0].filename))
    except SDXError as error:
        if error.status != 404:
            raise
        found.missing[site.id] = {"code": error.code or "resource_missing", "message": error.message}
