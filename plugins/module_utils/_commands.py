# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Synchronous RouterOS commands: what counts as read-only, and running one."""

from __future__ import annotations

from typing import Any, Optional

from ._client import SDXClient
from ._errors import SDXError, SDXInputError

READ_VERBS = frozenset({"print", "get", "monitor", "export"})


def normalise(command: str) -> str:
    """``/system resource print`` and ``/system/resource/print`` both become the API path form."""
    text = " ".join(command.split())
    if not text.startswith("/"):
        raise SDXInputError(f"command: expected a RouterOS command path such as /system/resource/print, "
                            f"got {command!r}")
    return "/" + "/".join(part for part in text.replace(" ", "/").split("/") if part)


def is_read_only(command: str) -> bool:
    words = [word for word in command.split("/") if word]
    return bool(words) and words[-1] in READ_VERBS and "execute" not in words


def check_allowed(command: str, allow_write: bool) -> None:
    if not allow_write and not is_read_only(command):
        raise SDXInputError(
            f"command: {command!r} may change the router; only commands ending in "
            f"{', '.join(sorted(READ_VERBS))} (and never /execute) run unless allow_write is true")


def run(client: SDXClient, site_id: str, command: str, parameters: Optional[list[str]]) -> list[Any]:
    body: dict[str, Any] = {"command": command}
    if parameters:
        body["parameters"] = parameters
    try:
        answer = client.post(f"api/synchronous/{site_id}", body)
    except SDXError as error:
        if error.code == "site_offline":
            raise error.with_context(f"site {site_id!r} is offline, and synchronous commands need it online")
        if error.status == 404:
            raise error.with_context(f"site {site_id!r} was not found")
        raise
    if isinstance(answer, dict) and "data" in answer:
        answer = answer["data"]
    if not isinstance(answer, list):
        raise SDXError(f"SDX answered the command on site {site_id!r} with something that is not a list")
    return answer
