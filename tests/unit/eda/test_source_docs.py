"""The event sources document their options as plugins do, and the docs match what the code accepts."""

from __future__ import annotations

import pytest
import yaml

from tests.unit.eda.sources import load_source
from tests.unit.paths import ROOT

pytestmark = pytest.mark.main_line
CONNECTION = {"api_url", "api_token", "validate_certs", "ca_path", "timeout", "rate_limit"}


@pytest.mark.parametrize("name, own", [
    ("job_webhook", {"host", "port", "token", "certfile", "keyfile", "max_body_bytes", "verify"}),
    ("fleet_watch", {"interval", "job_sites", "emit_initial"}),
])
def test_documentation_lists_every_option_and_the_examples_are_rulebooks(name, own):
    source = load_source(name)
    doc = yaml.safe_load(source["DOCUMENTATION"])
    assert set(doc["options"]) == own | CONNECTION
    assert doc["short_description"] and doc["description"]
    examples = yaml.safe_load(source["EXAMPLES"])
    assert f"altostrat.sdx.{name}" in examples[0]["sources"][0]
    assert callable(source["main"])


def test_example_rulebooks_use_the_collection_sources():
    used = set()
    for path in (ROOT / "extensions" / "eda" / "rulebooks").glob("*.yml"):
        for ruleset in yaml.safe_load(path.read_text()):
            used.update(name for source in ruleset["sources"] for name in source)
    assert used == {"altostrat.sdx.job_webhook", "altostrat.sdx.fleet_watch"}
