from __future__ import annotations

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI, select
from ansible_collections.altostrat.sdx.plugins.module_utils._models import Site
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI


SITES = [Site(id="1", name="branch-0001", has_pulse=True), Site(id="2", name="branch-0002", has_pulse=False),
         Site(id="3", name="core-01", has_pulse=True)]


@pytest.mark.parametrize("name, online, ids", [
    (None, None, ["1", "2", "3"]),
    ("branch-0002", None, ["2"]),
    ("branch-*", None, ["1", "2"]),
    ("branch-*", True, ["1"]),
    (None, False, ["2"]),
    ("branch", None, []),
    ("core-0[0-9]", True, ["3"]),
])
def test_site_selection_by_exact_name_glob_and_online(name, online, ids):
    assert [site.id for site in select(SITES, name=name, online=online)] == ids


@responses.activate
@pytest.mark.parametrize("answer, problem", [
    ([{"id": "a"}, {"name": "no id"}], "a list whose item 1 is an object that is not a Site (id: Field required)"),
    ({"data": [{"id": "a", "has_pulse": "maybe"}]}, "a list whose item 0 is an object that is not a Site (has_pulse: "),
])
def test_a_site_list_that_does_not_fit_is_an_error_naming_the_endpoint(answer, problem):
    responses.get("https://sdx.test/sites", json=answer)
    with pytest.raises(SDXError) as caught:
        FleetAPI(SDXClient("https://sdx.test", "t")).sites()
    assert str(caught.value).startswith(f"SDX API answered GET https://sdx.test/sites with {problem}")


@responses.activate
def test_a_site_that_does_not_fit_is_an_error_naming_the_endpoint():
    responses.get("https://sdx.test/sites/s1", json={"status": "success"})
    with pytest.raises(SDXError, match=r"^SDX API answered GET https://sdx.test/sites/s1 with an object that is "
                                       r"not a Site \(id: Field required\)"):
        SiteAPI(SDXClient("https://sdx.test", "t"), "s1").info()
