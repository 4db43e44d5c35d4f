# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Ansible glue shared by every module: the common options, the module base class, failures."""

from __future__ import annotations

import math
import os
from typing import Any, ClassVar, Literal, NoReturn, Optional

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, SDXClient, client_from_options
from ._connection import CONNECTION_OPTIONS, ConnectionOption
from ._errors import SDXError, SDXInputError
from ._models import HAS_PYDANTIC, PYDANTIC_IMPORT_ERROR, parse_site_id
from ._numbers import seconds
from ._site_api import SiteAPI


def sdx_argument_spec() -> dict[str, dict[str, Any]]:
    """The connection options every module takes (documented by the altostrat.sdx.sdx doc fragment)."""
    return {option.name: _spec(option) for option in CONNECTION_OPTIONS}


def _spec(option: ConnectionOption) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": option.type}
    if option.default is not None:
        spec["default"] = option.default
    if option.no_log:
        spec["no_log"] = True
    if option.env:
        spec["fallback"] = (env_fallback, [option.env])
    return spec


class SDXModule:
    """Base of every module: subclasses declare what they take and give ``run()``; ``execute()`` does the rest.

    A module declares, next to its ``argument_spec`` (its own options, without ``site_id`` and the connection
    options), everything the collection reads about it: the action plugin's checks come from here, and so does the
    parsing of ``site_id`` and of seconds before ``run()``.
    """

    argument_spec: ClassVar[dict[str, dict[str, Any]]] = {}
    module_kwargs: ClassVar[dict[str, Any]] = {"supports_check_mode": True}
    # Whether the module takes the option site_id: "required" (filled from the host's sdx_site_id when the task
    # leaves it out), "optional" (filled likewise, and left out when the host has none) or "none".
    takes_site: ClassVar[Literal["required", "optional", "none"]] = "required"
    # Options that choose sites themselves: when the task gives one, the host's site is not used.
    chooses_sites: ClassVar[tuple[str, ...]] = ()
    # Options that hold seconds, parsed before run() (an unset optional one stays None).
    seconds: ClassVar[tuple[str, ...]] = ()

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.result: dict[str, Any] = {"changed": False}
        self.site_id: Optional[str] = None
        self._client: SDXClient | None = None

    @classmethod
    def full_argument_spec(cls) -> dict[str, dict[str, Any]]:
        site = {"site_id": {"type": "str", "required": cls.takes_site == "required"}} if cls.takes_site != "none" else {}
        return {**sdx_argument_spec(), **site, **cls.argument_spec}

    @classmethod
    def text_options(cls) -> tuple[str, ...]:
        """The options that must be strings as the task wrote them: every ``type: str`` option.

        ansible-core turns a list, a dict or a number given there into its text before the module sees it; the
        action plugin, which still sees the original, refuses it instead.
        """
        return tuple(name for name, option in cls.full_argument_spec().items() if option.get("type") == "str")

    @classmethod
    def define_module(cls) -> AnsibleModule:
        spec = cls.full_argument_spec()
        try:
            return AnsibleModule(argument_spec=spec, **cls.module_kwargs)
        except OverflowError:
            # ansible-core 2.19 and later let int("inf") escape their type checks, with a message naming no option.
            loose = AnsibleModule(argument_spec=with_raw_ints(spec), **cls.module_kwargs)
            loose.fail_json(msg=infinite_int_message(spec, loose.params))

    @classmethod
    def main(cls) -> None:
        """A module file's ``main()``: define the AnsibleModule, then run."""
        cls(cls.define_module()).execute()

    @property
    def client(self) -> SDXClient:
        if self._client is None:
            self._client = client_from_options(self.params, agent=self.module._name)  # pylint: disable=protected-access
            if self._client.budget is not None:
                self._client.budget.warn = self.module.warn
        return self._client

    def site(self, site_id: Optional[str] = None) -> SiteAPI:
        """The site layer for ``site_id`` (the task's, parsed, by default), over this module's client."""
        return SiteAPI(self.client, site_id or self.site_id)

    def _parse_declared(self) -> None:
        """Check ``site_id`` and the options that hold seconds, as the module declares them."""
        if self.params.get("site_id"):
            self.site_id = parse_site_id(self.params["site_id"])
        for name in self.seconds:
            if self.params[name] is not None:
                self.params[name] = seconds(name, self.params[name])

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
            self._parse_declared()
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
