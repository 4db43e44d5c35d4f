# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""A drift report (``_drift.build_report``) as readable text and as JUnit XML."""

from __future__ import annotations

from typing import Any, Mapping
from xml.etree import ElementTree

from ansible_collections.altostrat.sdx.plugins.plugin_utils._drift import age_text
from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout import printable

SITES_SHOWN = 10
COMMANDS_SHOWN = 20


def summary(report: Mapping[str, Any]) -> list[str]:
    """What differs, grouped: how many sites comply, which need the same commands, which could not be checked."""
    counts = report["counts"]
    desired = ", ".join(f"{item['path']} ({item['state']})" for item in report["desired"])
    source = "from each site's newest backup" if report["source"] == "backup" else "live, one read per menu"
    lines = [f"Drift of {report['total']} site(s) from {desired}, read {source}."]
    if report.get("backup_age"):
        ages = report["backup_age"]
        lines.append(f"Backups are {age_text(ages['newest_seconds'])} to {age_text(ages['oldest_seconds'])} old.")
    lines.append(f"{counts['compliant']} already compliant")
    for group in report["groups"]:
        lines.append(f"{len(group['sites'])} need the same {len(group['commands'])} command(s): "
                     f"{_names(group['sites'])}")
        lines.extend(f"    {command}" for command in group["commands"][:COMMANDS_SHOWN])
        if len(group["commands"]) > COMMANDS_SHOWN:
            lines.append(f"    ... {len(group['commands']) - COMMANDS_SHOWN} more command(s)")
    for status, what in (("no_backup", "have no backup to read"), ("error", "could not be checked")):
        failed = [row for row in report["sites"] if row["status"] == status]
        if failed:
            lines.append(f"{len(failed)} {what}:")
            lines.extend(f"    {row['site']}: {row['message']}" for row in failed)
    if report["source"] == "backup":
        lines.append("Age of each backup read:")
        lines.extend(f"    {row['site']}: {row['backup']['filename']}, {age_text(row['backup']['age_seconds'])} old"
                     f" ({row['status']})" for row in report["sites"] if row.get("backup"))
    return [printable(line) for line in lines]


def _names(sites: list[str]) -> str:
    more = f" and {len(sites) - SITES_SHOWN} more" if len(sites) > SITES_SHOWN else ""
    return ", ".join(sites[:SITES_SHOWN]) + more


def junit(report: Mapping[str, Any]) -> str:
    """One test case per site: a drifted site fails with the commands it needs, one not checked is an error,
    one without a backup is skipped."""
    counts = report["counts"]
    suite = ElementTree.Element("testsuite", {
        "name": "altostrat.sdx drift: " + ", ".join(f"{item['path']} ({item['state']})" for item in report["desired"]),
        "tests": str(report["total"]), "failures": str(counts["drifted"]), "errors": str(counts["error"]),
        "skipped": str(counts["no_backup"])})
    for row in report["sites"]:
        case = ElementTree.SubElement(suite, "testcase", {"classname": "altostrat.sdx.drift", "name": str(row["site"])})
        message = printable(str(row["message"]))
        if row["status"] == "drifted":
            ElementTree.SubElement(case, "failure", {"message": message}).text = "\n".join(row["commands"])
        elif row["status"] == "error":
            ElementTree.SubElement(case, "error", {"message": message})
        elif row["status"] == "no_backup":
            ElementTree.SubElement(case, "skipped", {"message": message})
        backup = row.get("backup") or {}
        details = [f"site_id={row['site_id']}", f"status={row['status']}"]
        if backup:
            details.append(f"backup={backup.get('filename')} age={age_text(backup.get('age_seconds'))}")
        ElementTree.SubElement(case, "system-out").text = printable(" ".join(details))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
