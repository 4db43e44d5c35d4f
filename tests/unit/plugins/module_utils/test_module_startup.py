"""What a module process does before its first request: no pydantic plugin look-up, no validator built unused.

Each case runs in a fresh interpreter, as a module runs, since an import or a scan is once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.unit.paths import collections_root

SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"

PROBE = textwrap.dedent("""
    import contextlib, io, json, sys
    from pydantic.plugin import _loader
    sys.path.insert(0, {tests!r})
    from compat import run_module
    from ansible_collections.altostrat.sdx.plugins.module_utils import _models
    from ansible_collections.altostrat.sdx.plugins.modules import sdx_async_script
    built_at_import = sorted(name for name in ("AsynchronousScriptRequest", "Job", "Site", "Backup")
                             if getattr(_models, name).__pydantic_complete__)
    scanned_at_import = _loader._plugins is not None
    result = run_module(sdx_async_script.main, {{"site_id": {site!r}, "description": "d", "script": " ",
                                                 "api_token": "alto_sk_startup_probe_1234"}})
    print(json.dumps({{"built_at_import": built_at_import, "scanned_at_import": scanned_at_import,
                      "scanned": _loader._plugins is not None, "msg": result.get("msg")}}))
""")


def probe(env: dict[str, str]) -> dict:
    code = PROBE.format(tests=str(Path(__file__).resolve().parents[2]), site=SITE)
    # The collection first; what the runner put on the path (ansible-test's --venv puts ansible-core there) after it.
    path = os.pathsep.join(filter(None, (str(collections_root()), env.get("PYTHONPATH"))))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**env, "PYTHONPATH": path})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_module_builds_no_validator_at_import_and_never_looks_up_pydantic_plugins():
    env = {name: value for name, value in os.environ.items() if name != "PYDANTIC_DISABLE_PLUGINS"}
    seen = probe(env)
    # The request was validated (the blank script is refused by the model), so a validator was built...
    assert seen["msg"] == "script: must not be empty"
    # ...on first use, not at import, and without reading every installed distribution's entry points.
    assert seen["built_at_import"] == [] and seen["scanned_at_import"] is False
    assert seen["scanned"] is False


def test_a_users_own_pydantic_plugin_setting_is_kept():
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "some_other_plugin"}
    seen = probe(env)
    assert seen["msg"] == "script: must not be empty"
    assert seen["scanned"] is True
