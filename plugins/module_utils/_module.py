# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Ansible glue shared by every module: the common options, the module base class, failures."""

from __future__ import annotations

import math
import os
from typing import Any, NoReturn

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ._client import DEFAULT_API_URL, HAS_REQUESTS, REQUESTS_IMPORT_ERROR, SDXClient, client_from_options
from ._errors import SDXError, SDXInputError
from ._models import HAS_PYDANTIC, PYDANTIC_IMPORT_ERROR
from ._site_api import SiteAPI


def sdx_argument_spec() -> dict[str, dict[str, Any]]:
    """The connection options every module takes (documented by the altostrat.sdx.sdx doc fragment)."""
    return {
        "api_url": {"type": "str", "default": DEFAULT_API_URL, "fallback": (env_fallback, ["SDX_API_URL"])},
        "api_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["SDX_API_TOKEN"])},
        "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["SDX_VALIDATE_CERTS"])},
        "ca_path": {"type": "path"},
        "timeout": {"type": "float", "default": 30},
        "rate_limit": {"type": "int", "default": 60, "fallback": (env_fallback, ["SDX_RATE_LIMIT"])},
    }


class SDXModule:
    """Base of every module: subclasses give ``argument_spec`` and ``run()``; ``execute()`` does the rest."""

    argument_spec: dict[str, dict[str, Any]] = {}
    module_kwargs: dict[str, Any] = {"supports_check_mode": True}

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.result: dict[str, Any] = {"changed": False}
        self._client: SDXClient | None = None

    @classmethod
    def full_argument_spec(cls) -> dict[str, dict[str, Any]]:
        return {**sdx_argument_spec(), **cls.argument_spec}

    @classmethod
    def define_module(cls) -> AnsibleModule:
        spec = cls.full_argument_spec()
        try:
            return AnsibleModule(argument_spec=spec, **cls.module_kwargs)
        except OverflowError:
            # ansible-core 2.19 and later let int("inf") escape their type checks, with a message naming no option.
            loose = AnsibleModule(argument_spec=with_raw_ints(spec), **cls.module_kwargs)
            loose.fail_json(msg=infinite_int_message(spec, loose.params))

    @property
    def client(self) -> SDXClient:
        if self._client is None:
            self._client = client_from_options(self.params, agent=self.module._name)  # pylint: disable=protected-access
        return self._client

    def site(self, site_id: str) -> SiteAPI:
        """The site layer for ``site_id`` (checked already), over this module's client."""
        return SiteAPI(self.client, site_id)

    def run(self) -> None:
        raise NotImplementedError

    def execute(self) -> NoReturn:
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if not HAS_PYDANTIC:
            self.module.fail_json(msg=missing_required_lib("pydantic>=2"), exception=PYDANTIC_IMPORT_ERROR)
        # Third-party pydantic plugins stay out of a module: it validates the same whatever else is installed,
        # and finding them reads the metadata of every installed distribution, on every task. The models defer
        # their build to first use, after this line.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        try:
            self.run()
        except SDXInputError as error:
            self.module.fail_json(msg=str(error), **self.result)
        except SDXError as error:
            self.fail(error)
        finally:
            # A loop's items run one after another in one process when the module runs in its action plugin.
            if self._client is not None:
                self._client.session.close()
        self.module.exit_json(**self.result)

    def fail(self, error: SDXError) -> NoReturn:
        """Fail the task with the API's status, type, code, message and doc_url kept apart in ``error``."""
        self.module.fail_json(msg=error.message, error=error.to_dict(), **self.result)


def with_raw_ints(spec: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``spec`` with its integer options taken as they are, to find the one an OverflowError came from."""
    return {name: {**option, "type": "raw"} if option.get("type") == "int" else option for name, option in spec.items()}


def infinite_int_message(spec: dict[str, dict[str, Any]], params: dict[str, Any]) -> str:
    """The message naming the integer option whose value is infinite, from ``params`` read with raw integers."""
    for name, option in spec.items():
        value = params.get(name)
        try:
            infinite = option.get("type") == "int" and not math.isfinite(float(value))
        except (TypeError, ValueError):
            continue
        if infinite:
            return f"{name}: expected a whole number, got {value!r}"
    return "an integer option holds a value too large for a whole number"
