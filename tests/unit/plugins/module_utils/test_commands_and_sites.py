from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils import _sites
from ansible_collections.altostrat.sdx.plugins.module_utils._models import Site


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
    assert [site.id for site in _sites.select(SITES, name=name, online=online)] == ids
