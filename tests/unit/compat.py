"""Test helpers: run a module's main() in-process on every ansible-core line; a clock that only sleeping moves."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from ansible.module_utils import basic

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # older lines read the arguments from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access


def run_module(main, args: dict) -> dict:
    """Run ``main`` with ``args`` and answer the JSON result it printed (with ``failed`` when it failed)."""
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main()
    return json.loads(out.getvalue())


class FakeClock:
    """A clock that only sleeping moves, so that windows are exact and tests never wait.

    Pass ``fake.sleep`` and ``fake.clock`` (or ``fake`` itself, which is callable) where code takes them.
    """

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    __call__ = clock
