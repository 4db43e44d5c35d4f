# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Confirmed apply (``confirm_timeout``): what the change job arms on the router, and the confirm job's script.

The change job first adds a one-shot ``/system scheduler`` entry, named after the change, whose ``on-event``
removes the entry itself and then runs the revert; only then come the change's own lines. The confirm job removes
the entry *by name*, which RouterOS refuses with "no such item" once the revert has run: so a confirm job that
completed proves the revert had not fired, whatever the clocks say. The flow that proves contact and confirms is in
``_confirm_flow``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ._config_render import quote
from ._errors import SDXInputError

OPTION = "confirm_timeout"
# The options every module with confirmed apply takes (the altostrat.sdx.sdx.confirm doc fragment documents them).
CONFIRM_OPTIONS: dict[str, dict[str, Any]] = {OPTION: {"type": "str"}}
SCHEDULER_PREFIX = "sdx-confirm-"
# Below a minute the confirm cannot be proven: a check-in comes every 30 seconds, and the confirm job is picked up
# at a check-in too (docs/safe-apply.md). A day bounds a typo such as 5h for 5m.
MIN_SECONDS = 60
MAX_SECONDS = 24 * 3600
# Said when a change job with an armed revert is still pending as the task gives up on it.
NOT_STARTED = ("; with confirm_timeout, when the router runs it later it arms its revert first and nothing will "
               "confirm it, so the change is undone confirm_timeout after it runs (cancel the job with "
               "altostrat.sdx.sdx_job state=absent while it is pending)")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNITS = (("h", 3600), ("m", 60), ("s", 1))


def parse_duration(value: Any, name: str = OPTION) -> Optional[int]:
    """Seconds in ``90s``, ``5m``, ``1h``, ``1h30m``; None when the option is off. SDXInputError otherwise."""
    if value is None:
        return None
    text = str(value).strip()
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise SDXInputError(f"{name}: expected a duration such as 90s, 5m or 1h30m, got {value!r}")
    seconds = sum(int(amount or 0) * size for amount, (_unit, size) in zip(match.groups(), _UNITS))
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise SDXInputError(f"{name}: expected a duration from 1m to 24h, got {value!r}; the router must check in, "
                            f"and pick up the confirm job, well within it (see the safe apply guide)")
    return seconds


def routeros_duration(seconds: int) -> str:
    """``seconds`` as RouterOS writes an interval: ``1h30m``, ``5m``, ``90s`` becomes ``1m30s``."""
    parts = []
    for unit, size in _UNITS:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


def scheduler_name(site_id: str, change: str, description: str) -> str:
    """The scheduler entry's name, from the site and the change: the same change gets the same name, so that a
    revert still armed by an earlier run makes the new job fail at its first line instead of stacking a second."""
    digest = hashlib.sha256("\0".join((site_id, description, change)).encode()).hexdigest()
    return f"{SCHEDULER_PREFIX}{digest[:12]}"


@dataclass(frozen=True)
class ConfirmPlan:
    """What confirmed apply puts on the router: the revert, armed before the change, and how the confirm undoes it."""

    name: str
    seconds: int
    revert: list[str]
    # Lines run before the scheduler is armed (a backup to revert to), and after the confirm removed it.
    prepare: list[str] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)

    @property
    def on_event(self) -> str:
        """The revert as the scheduler runs it: its own entry removed first, so that it runs once even when a
        line of the revert fails (a failing line stops a RouterOS script)."""
        return "\n".join([f"/system scheduler remove [find where name={quote(self.name)}]", *self.revert])

    def arm_lines(self) -> list[str]:
        arm = (f"/system scheduler add name={quote(self.name)} start-time=startup "
               f"interval={routeros_duration(self.seconds)} comment={quote('altostrat.sdx confirmed apply')} "
               f"on-event={quote(self.on_event)}")
        return [*self.prepare, arm]

    def job_script(self, change_lines: list[str]) -> str:
        """The change job's script: the revert armed first, then the change."""
        return "\n".join([*self.arm_lines(), *change_lines]) + "\n"

    def confirm_script(self) -> str:
        """Removes the entry by name (an error once the revert ran), then what the change left for the revert."""
        return "\n".join([f"/system scheduler remove {quote(self.name)}", *self.cleanup]) + "\n"

    def confirm_description(self, description: str) -> str:
        return f"confirm {self.name} ({description})"[:100]

    def to_result(self) -> dict[str, Any]:
        return {"scheduler": self.name, "timeout": self.seconds, "armed": self.arm_lines(),
                "revert": list(self.revert), "confirm_script": self.confirm_script().splitlines()}


def script_revert(name: str, seconds: int, revert_script: str) -> ConfirmPlan:
    """The revert an ``sdx_async_script`` task gives, as its lines (joined again by line breaks, as written).

    Only the line breaks around it go: a blank line or trailing space inside it may be part of a quoted value that
    spans lines."""
    if not revert_script.strip():
        raise SDXInputError("revert_script: expected the RouterOS commands that undo the script, got empty text")
    return ConfirmPlan(name=name, seconds=seconds, revert=revert_script.strip("\r\n").splitlines())


def backup_revert(name: str, seconds: int) -> ConfirmPlan:
    """Revert to a binary backup the same job saves first. Loading it reboots the router."""
    backup = f"{name}.backup"
    return ConfirmPlan(
        name=name, seconds=seconds,
        prepare=[f"/system backup save name={quote(name)} dont-encrypt=yes"],
        revert=[f"/system backup load name={quote(backup)} password=\"\""],
        cleanup=[f"/file remove [find where name={quote(backup)}]"])


def script_plan(params: dict[str, Any], site_id: str) -> Optional[ConfirmPlan]:
    """The confirmed apply of an ``sdx_async_script`` task, or None; SDXInputError for options that do not fit."""
    seconds = parse_duration(params[OPTION])
    revert_script, to_backup = params["revert_script"], params["revert_to_backup"]
    if seconds is None:
        given = "revert_script" if revert_script is not None else "revert_to_backup" if to_backup else None
        if given:
            raise SDXInputError(f"{given}: only used with confirm_timeout, which arms the revert")
        return None
    if (revert_script is not None) == bool(to_backup):
        raise SDXInputError("confirm_timeout: needs exactly one of revert_script (the commands that undo the script) "
                            "and revert_to_backup=true (a backup the same job saves; loading it reboots the router)")
    missing = [f"{name}=true" for name in ("wait", "needs_acknowledgement") if not params[name]]
    if missing:
        raise SDXInputError(f"confirm_timeout: needs {' and '.join(missing)}: the task confirms only after the "
                            f"script has run and reported its own outcome")
    name = scheduler_name(site_id, params["script"], params["description"])
    return script_revert(name, seconds, revert_script) if revert_script is not None else backup_revert(name, seconds)
