# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The state check of sdx_async_script (``unless_found``): a ``print`` query run through the synchronous endpoint
before anything is queued, as ``creates`` is for ansible.builtin.command. Rows found mean the work is done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from . import _commands
from ._errors import SDXInputError
from ._site_api import SiteAPI

OPTION = "unless_found"
PARAMETERS_OPTION = "unless_found_parameters"


@dataclass(frozen=True)
class StateCheck:
    """A checked query: its API path and the parameters sent with it."""

    path: str
    parameters: _commands.Parameters

    def run(self, site: SiteAPI) -> list[Any]:
        """The rows the router answered (one synchronous request)."""
        return site.run_command(self.path, self.parameters)


def parse(query: Optional[str], parameters: Any) -> Optional[StateCheck]:
    """The state check of the task, or None; SDXInputError naming ``unless_found`` for anything but a print query."""
    if query is None:
        if parameters is not None:
            raise SDXInputError(f"{PARAMETERS_OPTION}: only used with {OPTION}")
        return None
    try:
        command = _commands.parse(query)
        wire = _commands.wire_parameters(command, _commands.check_parameters(parameters))
    except SDXInputError as error:
        raise SDXInputError(_renamed(str(error))) from None
    if command.words[-1] != "print" or not _commands.is_read_only(command, wire):
        raise SDXInputError(f"{OPTION}: expected a print query such as '/ip address print where "
                            f"address=192.168.99.1/24', got {query!r}; it runs before the script and must not change "
                            f"the router")
    return StateCheck(command.path, wire)


def _renamed(message: str) -> str:
    """A message of the command grammar, naming this module's options instead of sdx_command's."""
    message = message.replace("command:", f"{OPTION}:", 1)
    return message.replace("parameters:", f"{PARAMETERS_OPTION}:").replace("give command", f"give {OPTION}")
