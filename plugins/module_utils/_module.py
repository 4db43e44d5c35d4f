# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Ansible glue shared by every module: the common options, the client, failures."""

from __future__ import annotations

import math
import os
from typing import Any, NoReturn
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ._budget import RateBudget
from ._client import DEFAULT_API_URL, HAS_REQUESTS, REQUESTS_IMPORT_ERROR, SDXClient
from ._errors import SDXError, SDXInputError
from ._models import HAS_PYDANTIC, PYDANTIC_IMPORT_ERROR
from ._numbers import count, seconds


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


def client_from_options(options: dict[str, Any], agent: str) -> SDXClient:
    """A client for these connection options, after checking them; SDXInputError names a bad one."""
    token = checked_token(options.get("api_token"))
    api_url = checked_api_url(options.get("api_url"))
    timeout = seconds("timeout", options.get("timeout"))
    rate_limit = count("rate_limit", options.get("rate_limit"), minimum=0,
                       what="requests per minute (0 turns the budget off)")
    ca_path = options.get("ca_path")
    if ca_path and not os.path.exists(ca_path):
        raise SDXInputError(f"ca_path: expected a PEM file (or directory) of CA certificates, but {ca_path!r} does "
                            f"not exist")
    budget = RateBudget(api_url, token, rate_limit) if rate_limit > 0 else None
    return SDXClient(api_url, token, timeout=timeout, validate_certs=options.get("validate_certs", True),
                     ca_path=ca_path, agent=agent, budget=budget)


def checked_token(value: Any) -> str:
    """The token without surrounding whitespace (a vaulted value often ends with a line break).

    A token with anything but printable ASCII left inside cannot be sent in a header; the error never shows it.
    """
    token = value.strip() if isinstance(value, str) else value
    if not token:
        raise SDXInputError("api_token: no API token given; set the api_token option or the SDX_API_TOKEN "
                            "environment variable")
    if not isinstance(token, str) or not all("!" <= char <= "~" for char in token):
        raise SDXInputError("api_token: expected printable ASCII characters without spaces, line breaks or other "
                            "control characters inside (surrounding whitespace is ignored); the token given holds "
                            "another character. It is not shown")
    return token


def checked_api_url(value: Any) -> str:
    """The API URL, checked to be an http(s) URL with a host; SDXInputError names ``api_url`` otherwise."""
    api_url = value.strip() if isinstance(value, str) else ""
    problem = None
    try:
        parts = urlsplit(api_url)
        _port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as error:
        problem = str(error)
    else:
        if parts.scheme not in ("https", "http"):
            problem = "it must start with https:// or http://"
        elif not parts.hostname:
            problem = "it has no host"
        elif not all(char.isprintable() and not char.isspace() for char in api_url):
            problem = "it holds a space or a control character"
    if problem:
        raise SDXInputError(f"api_url: expected an http(s) URL such as {DEFAULT_API_URL}, got {api_url!r} "
                            f"({problem})")
    return api_url


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
    def define_module(cls) -> AnsibleModule:
        spec = {**sdx_argument_spec(), **cls.argument_spec}
        try:
            return AnsibleModule(argument_spec=spec, **cls.module_kwargs)
        except OverflowError:
            # ansible-core 2.19 and later let int("inf") escape their type checks, with a message naming no option.
            return _fail_on_infinite_int(spec, cls.module_kwargs)

    @property
    def client(self) -> SDXClient:
        if self._client is None:
            self._client = client_from_options(self.params, agent=self.module._name)  # pylint: disable=protected-access
        return self._client

    def run(self) -> None:
        raise NotImplementedError

    def execute(self) -> NoReturn:
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if not HAS_PYDANTIC:
            self.module.fail_json(msg=missing_required_lib("pydantic>=2"), exception=PYDANTIC_IMPORT_ERROR)
        try:
            self.run()
        except SDXInputError as error:
            self.module.fail_json(msg=str(error), **self.result)
        except SDXError as error:
            self.fail(error)
        self.module.exit_json(**self.result)

    def fail(self, error: SDXError, **extra: Any) -> NoReturn:
        """Fail the task with the API's status, type, code, message and doc_url kept apart in ``error``."""
        self.module.fail_json(msg=error.message, error=error.to_dict(), **{**self.result, **extra})


def _fail_on_infinite_int(spec: dict[str, dict[str, Any]], kwargs: dict[str, Any]) -> NoReturn:
    """Fail naming the integer option whose value is infinite, read with the integer options taken as they are."""
    loose = {name: {**option, "type": "raw"} if option.get("type") == "int" else option for name, option in spec.items()}
    module = AnsibleModule(argument_spec=loose, **kwargs)
    for name, option in spec.items():
        value = module.params[name]
        try:
            infinite = option.get("type") == "int" and not math.isfinite(float(value))
        except (TypeError, ValueError):
            continue
        if infinite:
            module.fail_json(msg=f"{name}: expected a whole number, got {value!r}")
    module.fail_json(msg="an integer option holds a value too large for a whole number")
