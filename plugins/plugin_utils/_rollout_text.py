# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""A rollout report (``_rollout.build_report``) as people and CI read it: the plain-text table with its summaries,
and JUnit XML."""

from __future__ import annotations

from typing import Any, Mapping
from xml.etree import ElementTree

from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout import FAILED_STATUSES, printable
from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout_config import group_summary, not_held

# The text table names this many sites of a config diff group, and shows this many of its changed lines.
GROUP_SITES_SHOWN = 5
GROUP_LINES_SHOWN = 10


def table(report: Mapping[str, Any]) -> list[str]:
    """The report as aligned text lines: site, status, job, duration, message."""
    header = ("SITE", "STATUS", "JOB", "DURATION", "MESSAGE")
    lines = [tuple(printable(str(cell)) for cell in (
        item["site"], item["status"], item["job_id"] or "-",
        "-" if item["duration"] is None else f"{item['duration']:.1f}s", item["message"]))
        for item in report["sites"]]
    widths = [max(len(str(cells[index])) for cells in [header, *lines]) for index in range(4)]
    rendered = ["  ".join(str(cell).ljust(width) for cell, width in zip(cells[:4], widths)) + "  " + str(cells[4])
                for cells in [header, *lines]]
    counts = ", ".join(f"{count} {status}" for status, count in report["counts"].items() if count)
    return rendered + [f"{report['total']} site(s): {counts or 'none'}" + (" (stopped early)" if report["stopped"]
                                                                           else "")] + change_summary(report) + group_summary(report)


def change_summary(report: Mapping[str, Any]) -> list[str]:
    """The config diff groups in a few lines: how many sites changed the same way, and how the others differ."""
    if not report.get("config_diff"):
        return []
    groups = report.get("config_diffs") or []
    if report.get("check_mode"):
        return ["config diff: not predicted in check mode (it is the router's change after a job ran)"]
    if not groups:
        return ["config diff: no job completed in this run, so there is no change to compare"]
    sizes = [len(group["sites"]) for group in groups]
    undone = "".join(f"; {part}" for part in not_held(report))
    if len(groups) == 1:
        lines = [f"config diff: all {sizes[0]} completed site(s) changed the same way{undone}"]
    else:
        others = sum(sizes[1:])
        lines = [f"config diff: {sizes[0]} site(s) changed the same way, {others} differ{'s' if others == 1 else ''} "
                 f"({len(groups) - 1} other group(s)){undone}; the diffs are in the JSON report's config_diffs"]
    for number, group in enumerate(groups, 1):
        lines.extend(_group_lines(number, group))
    return lines


def _changed_lines(diff: str) -> list[str]:
    """The added and removed lines of a unified diff, in its order, without its headers and context."""
    lines, in_hunk = [], False
    for line in diff.splitlines():
        if line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line[:1] in ("+", "-"):
            lines.append(line)
    return lines


def _group_lines(number: int, group: Mapping[str, Any]) -> list[str]:
    sites = group["sites"]
    more = f" and {len(sites) - GROUP_SITES_SHOWN} more" if len(sites) > GROUP_SITES_SHOWN else ""
    names = ", ".join(printable(str(site)) for site in sites[:GROUP_SITES_SHOWN]) + more
    changed = _changed_lines(group["diff"])
    added = sum(1 for line in changed if line.startswith("+"))
    what = f"{added} line(s) added, {len(changed) - added} removed" if changed else "no change"
    lines = [f"  group {number}, {len(sites)} site(s), {what}: {names}"]
    lines.extend(f"    {printable(line)}" for line in changed[:GROUP_LINES_SHOWN])
    if len(changed) > GROUP_LINES_SHOWN:
        lines.append(f"    ... {len(changed) - GROUP_LINES_SHOWN} more line(s)")
    return lines


def junit(report: Mapping[str, Any]) -> str:
    """The report as a JUnit XML test suite: one test case per site, timed by the site's job.

    Every text is escaped with :func:`printable`, whatever report it is given, so the XML stays well-formed.
    """
    counts = report["counts"]
    suite = ElementTree.Element("testsuite", {
        "name": printable(f"altostrat.sdx rollout: {report['description']}"),
        "tests": str(report["total"]),
        "failures": str(sum(counts.get(status, 0) for status in FAILED_STATUSES)),
        "errors": "0",
        "skipped": str(counts.get("skipped_offline", 0) + counts.get("not_run", 0)),
    })
    for item in report["sites"]:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": "altostrat.sdx.rollout", "name": printable(str(item["site"])),
            "time": str(item["duration"] or 0)})
        message = printable(str(item["message"]))
        if item["status"] in FAILED_STATUSES:
            ElementTree.SubElement(case, "failure", {"message": message}).text = message
        elif item["status"] in ("skipped_offline", "not_run"):
            ElementTree.SubElement(case, "skipped", {"message": message or printable(str(item["status"]))})
        out = ElementTree.SubElement(case, "system-out")
        out.text = printable(" ".join(f"{key}={item.get(key) or '-'}"
                                      for key in ("status", "job_id", "site_id", "queued", "started", "finished")))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
