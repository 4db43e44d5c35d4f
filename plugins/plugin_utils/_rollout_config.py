# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""A declarative rollout (``rollout_config``, applied with altostrat.sdx.sdx_config): a site's outcome, and the
report's groups of sites by the commands they needed."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError

# The text report names this many sites of a group, and shows this many of its commands.
GROUP_SITES_SHOWN = 5
GROUP_COMMANDS_SHOWN = 10


def checked_config(config: Any) -> dict[str, Any]:
    """``rollout_config`` (``{path, data, state, keys}``, as altostrat.sdx.sdx_config takes them), checked before any
    request; SDXInputError names the variable and the entry."""
    if not isinstance(config, Mapping):
        raise SDXInputError(f"rollout_config: expected a dict with path, data and state, got {config!r:.80}")
    # Imported here: the drift code imports the rollout's, which imports this file.
    from ansible_collections.altostrat.sdx.plugins.plugin_utils._drift import desired_menus  # pylint: disable=import-outside-toplevel

    try:
        return desired_menus([config])[0]
    except SDXInputError as error:
        raise SDXInputError(str(error).replace("drift_menus[0]", "rollout_config", 1)) from None


def configured(config: Mapping[str, Any], wait: Any, check_mode: Any) -> tuple[str, str, Mapping[str, Any]]:
    """The sdx_config task succeeded (``config`` is its registered result): what the site needed, and what was done."""
    commands = list(config.get("commands") or [])
    if not config.get("changed"):
        return "unchanged", "already held the desired state; nothing queued", config
    needed = f"{len(commands)} command(s)"
    if boolean(check_mode, strict=False):
        return "queued", f"would queue {needed} (check mode)", config
    if not boolean(wait, strict=False):
        return "queued", f"queued {needed}", config
    confirmed = ", confirmed" if config.get("outcome") == "confirmed" else ""
    return ("completed", f"job completed{confirmed}, {needed}; the router holds the desired state (converged)",
            config)


def commands_of(result: Mapping[str, Any]) -> Optional[list[str]]:
    """The commands a site needed, for the report; None when the rollout ran a script."""
    commands = result.get("commands")
    return list(commands) if isinstance(commands, list) else None


def command_groups(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sites that succeeded with sdx_config, grouped by the exact commands they needed (none: already compliant),
    largest group first."""
    found: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        if isinstance(row.get("commands"), list) and row.get("status") in ("completed", "unchanged", "queued"):
            found.setdefault(tuple(row["commands"]), []).append(str(row["site"]))
    groups = [{"commands": list(commands), "sites": sorted(sites)} for commands, sites in found.items()]
    return sorted(groups, key=lambda group: (-len(group["sites"]), group["sites"][0]))


# Sites whose change did not hold (confirm_timeout): not in a group, but counted beside the groups.
NOT_HELD = ("reverted", "unknown")


def not_held(report: Mapping[str, Any]) -> list[str]:
    """``1 reverted``, ``2 unknown``: the sites whose change was undone, or whose fate is unknown, by status."""
    counts = report.get("counts") or {}
    return [f"{counts[status]} {status}" for status in NOT_HELD if counts.get(status)]


def group_summary(report: Mapping[str, Any]) -> list[str]:
    """``790 already compliant, 10 needed the same 3 command(s), 1 reverted``, then each group's sites and commands."""
    groups = report.get("command_groups") or []
    declarative = any(isinstance(row.get("commands"), list) for row in report.get("sites") or [])
    if not groups and not (declarative and not_held(report)):
        return []
    verb = "would need" if report.get("check_mode") else "needed"
    parts = [f"{len(group['sites'])} already compliant" if not group["commands"]
             else f"{len(group['sites'])} {verb} the same {len(group['commands'])} command(s)" for group in groups]
    lines = ["commands: " + ", ".join(parts + not_held(report))]
    for number, group in enumerate(groups, 1):
        if not group["commands"]:
            continue
        sites = group["sites"]
        more = f" and {len(sites) - GROUP_SITES_SHOWN} more" if len(sites) > GROUP_SITES_SHOWN else ""
        lines.append(f"  group {number}, {len(sites)} site(s): {', '.join(sites[:GROUP_SITES_SHOWN])}{more}")
        lines.extend(f"    {command}" for command in group["commands"][:GROUP_COMMANDS_SHOWN])
        if len(group["commands"]) > GROUP_COMMANDS_SHOWN:
            lines.append(f"    ... {len(group['commands']) - GROUP_COMMANDS_SHOWN} more command(s)")
    return lines
