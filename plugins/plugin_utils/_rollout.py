# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Rollout reports: per-site rows from host results, a text table, JSON-ready data, JUnit XML."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Iterable, Mapping, Optional
from xml.etree import ElementTree

STATUSES = ("completed", "unchanged", "queued", "skipped_offline", "failed", "not_run")
NOT_RUN_MESSAGE = "not reached: the rollout stopped after an earlier batch failed"


def _seconds_between(start: Optional[str], end: Optional[str]) -> Optional[float]:
    try:
        return round((datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))).total_seconds(), 1)
    except (TypeError, ValueError):
        return None


def row(host: str, result: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """One site's line of the report; a host with no result was never reached."""
    result = dict(result or {})
    status = str(result.get("status") or "not_run")
    return {
        "site": str(result.get("site") or host),
        "site_id": result.get("site_id"),
        "status": status,
        "job_id": result.get("job_id"),
        "started": result.get("started"),
        "finished": result.get("finished"),
        "duration": _seconds_between(result.get("started"), result.get("finished")),
        "changed": bool(result.get("changed")),
        "message": str(result.get("message") or (NOT_RUN_MESSAGE if status == "not_run" else "")),
    }


def build_report(hostvars: Mapping[str, Any], hosts: Iterable[str], description: str,
                 check_mode: bool = False) -> dict[str, Any]:
    rows = [row(host, (hostvars.get(host) or {}).get("script_rollout_result")) for host in hosts]
    counts = Counter(item["status"] for item in rows)
    return {
        "description": description,
        "check_mode": bool(check_mode),
        "total": len(rows),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "stopped": counts.get("not_run", 0) > 0,
        "succeeded": counts.get("failed", 0) == 0 and counts.get("not_run", 0) == 0,
        "sites": rows,
    }


def table(report: Mapping[str, Any]) -> list[str]:
    """The report as aligned text lines: site, status, job, duration, message."""
    header = ("SITE", "STATUS", "JOB", "DURATION", "MESSAGE")
    lines = [(item["site"], item["status"], item["job_id"] or "-",
              "-" if item["duration"] is None else f"{item['duration']:.1f}s", item["message"])
             for item in report["sites"]]
    widths = [max(len(str(cells[index])) for cells in [header, *lines]) for index in range(4)]
    rendered = ["  ".join(str(cell).ljust(width) for cell, width in zip(cells[:4], widths)) + "  " + str(cells[4])
                for cells in [header, *lines]]
    counts = ", ".join(f"{count} {status}" for status, count in report["counts"].items() if count)
    return rendered + [f"{report['total']} site(s): {counts or 'none'}" + (" (stopped early)" if report["stopped"]
                                                                           else "")]


def junit(report: Mapping[str, Any]) -> str:
    """The report as a JUnit XML test suite: one test case per site."""
    counts = report["counts"]
    suite = ElementTree.Element("testsuite", {
        "name": f"altostrat.sdx rollout: {report['description']}",
        "tests": str(report["total"]),
        "failures": str(counts.get("failed", 0)),
        "errors": "0",
        "skipped": str(counts.get("skipped_offline", 0) + counts.get("not_run", 0)),
    })
    for item in report["sites"]:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": "altostrat.sdx.rollout", "name": item["site"],
            "time": str(item["duration"] or 0)})
        if item["status"] == "failed":
            ElementTree.SubElement(case, "failure", {"message": item["message"]}).text = item["message"]
        elif item["status"] in ("skipped_offline", "not_run"):
            ElementTree.SubElement(case, "skipped", {"message": item["message"] or item["status"]})
        out = ElementTree.SubElement(case, "system-out")
        out.text = f"status={item['status']} job={item['job_id'] or '-'} site_id={item['site_id'] or '-'}"
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
