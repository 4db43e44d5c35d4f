"""Failure messages name the site by the name the host's variables give, next to its id, and only where the id
stands alone."""

from __future__ import annotations

import json

import pytest

from ansible_collections.altostrat.sdx.plugins.plugin_utils._feedback import (
    host_site_name, name_the_site, named_in_output)

SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
OTHER = "0a1b2c3d-8d39-4786-9f17-8153c988c89a"


@pytest.mark.parametrize("message, expected", [
    (f"job j1 on site {SITE} failed at 2026-01-01", f"job j1 on site 'branch-1' ({SITE}) failed at 2026-01-01"),
    (f"site {SITE!r} is offline, and synchronous commands need it online",
     f"site 'branch-1' ({SITE}) is offline, and synchronous commands need it online"),
    (f"no new backup of site {SITE} was listed", f"no new backup of site 'branch-1' ({SITE}) was listed"),
    # already named from an answer (maybe by a newer name): left as it is
    (f"job j1 on site 'Branch 1' ({SITE}) was still pending", f"job j1 on site 'Branch 1' ({SITE}) was still pending"),
    # inside an endpoint: a path, not a name
    (f"GET https://sdx/site/{SITE}/job failed", f"GET https://sdx/site/{SITE}/job failed"),
    (f"job j1 on site {OTHER} failed", f"job j1 on site {OTHER} failed"),
    ("site_id: expected a site ID", "site_id: expected a site ID"),
])
def test_a_lone_site_id_in_a_message_gets_the_name(message, expected):
    assert name_the_site(message, SITE, "branch-1") == expected


def test_without_a_name_the_message_stays():
    assert name_the_site(f"job j1 on site {SITE} failed", SITE, None) == f"job j1 on site {SITE} failed"


@pytest.mark.parametrize("variables, expected", [
    ({"sdx_site_id": SITE, "sdx_site_name": "branch-1"}, "branch-1"),
    ({"sdx_site_id": OTHER, "sdx_site_name": "branch-2"}, None),  # the task chose another site than the host's
    ({"sdx_id": SITE, "sdx_name": "branch-1"}, "branch-1"),  # an inventory cache from before sdx_site_name
    ({"sdx_site_id": SITE, "sdx_site_name": "  "}, None),
    ({}, None),
])
def test_the_name_comes_from_the_host_of_that_site_only(variables, expected):
    assert host_site_name(SITE, variables) == expected


def test_a_module_output_gets_the_name_in_its_failure_message_only():
    failed = json.dumps({"failed": True, "msg": f"job j1 on site {SITE} failed", "site_id": SITE})
    assert json.loads(named_in_output(failed, SITE, "branch-1")) == {
        "failed": True, "msg": f"job j1 on site 'branch-1' ({SITE}) failed", "site_id": SITE}
    succeeded = json.dumps({"changed": True, "msg": f"queued on site {SITE}"})
    assert named_in_output(succeeded, SITE, "branch-1") == succeeded
    assert named_in_output("not JSON " + SITE, SITE, "branch-1") == "not JSON " + SITE
