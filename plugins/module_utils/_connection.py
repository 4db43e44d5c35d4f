# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The connection options, once: what the modules' argument spec, the sites inventory, the event sources and the
altostrat.sdx.sdx doc fragment read. Nothing here imports more than the standard library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

DEFAULT_API_URL = "https://v1.api.altostrat.io"


@dataclass(frozen=True)
class ConnectionOption:
    """One connection option: its Ansible type, its default, and the environment variable read when it is unset."""

    name: str
    type: str
    default: Any = None
    env: Optional[str] = None
    no_log: bool = False


CONNECTION_OPTIONS = (
    ConnectionOption("api_url", "str", DEFAULT_API_URL, env="SDX_API_URL"),
    ConnectionOption("api_token", "str", env="SDX_API_TOKEN", no_log=True),
    ConnectionOption("validate_certs", "bool", True, env="SDX_VALIDATE_CERTS"),
    ConnectionOption("ca_path", "path"),
    ConnectionOption("timeout", "float", 30),
    ConnectionOption("rate_limit", "int", 60, env="SDX_RATE_LIMIT"),
)
CONNECTION_OPTION_NAMES = tuple(option.name for option in CONNECTION_OPTIONS)


def given_or_default(option: ConnectionOption, args: dict[str, Any], environ: dict[str, str]) -> Any:
    """The value of ``option`` for a consumer that is not an Ansible module: the argument given (not empty), else its
    environment variable, else its default."""
    value = args.get(option.name)
    if value is not None and value != "":
        return value
    if option.env and environ.get(option.env):
        return environ[option.env]
    return option.default
