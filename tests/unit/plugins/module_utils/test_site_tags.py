"""A site's tags: the documented metadata shape gives tags; another shape is a failed read that says so."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI

API = "https://sdx.example.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
URL = f"{API}/sites/{SITE}/metadata"


def client() -> SDXClient:
    return SDXClient(API, "alto_sk_unit", sleep=lambda _seconds: None)


@responses.activate
@pytest.mark.parametrize("body, tags", [
    ({"name": "Main", "tags": ["region:emea", {"key": "tier", "value": "core"}, {"name": "lab"}, "", None]},
     ["region:emea", "tier:core", "lab"]),
    ({"name": "Main", "timezone": "UTC"}, []),
    ({"tags": None}, []),
])
def test_tags_from_the_documented_metadata_shape(body, tags):
    responses.get(URL, json=body)
    assert FleetAPI(client()).site(SITE).tags() == tags


@responses.activate
@pytest.mark.parametrize("body", [["region:emea"], "tags", {"tags": "region:emea"}, {"tags": {"region": "emea"}}])
def test_another_shape_is_a_failed_read_naming_the_assumption(body):
    responses.get(URL, json=body)
    with pytest.raises(SDXError) as raised:
        FleetAPI(client()).site(SITE).tags()
    assert f"GET sites/{SITE}/metadata" in str(raised.value)
    assert "an object whose tags is a list" in str(raised.value)


@responses.activate
def test_an_error_answer_keeps_its_status():
    responses.get(URL, status=404, json={"type": "not_found", "code": "site_not_found", "message": "No metadata"})
    with pytest.raises(SDXError) as raised:
        FleetAPI(client()).site(SITE).tags()
    assert raised.value.status == 404 and raised.value.code == "site_not_found"
