"""Only values that could be templates are marked unsafe; every other string stays a plain (trusted) string."""

from __future__ import annotations

import pytest
from ansible.utils.unsafe_proxy import AnsibleUnsafe

from ansible_collections.altostrat.sdx.plugins.plugin_utils import _inventory

try:  # ansible-core >= 2.19: trust is a tag on the string
    from ansible.template import is_trusted_as_template, trust_as_template
except ImportError:  # older lines: a plain str is templated, an AnsibleUnsafe one is not
    trust_as_template = None


def is_unsafe(value) -> bool:
    if trust_as_template is None:
        return isinstance(value, AnsibleUnsafe)
    return not is_trusted_as_template(value)


def is_plain(value) -> bool:
    if trust_as_template is None:
        return type(value) is str  # pylint: disable=unidiomatic-typecheck
    return is_trusted_as_template(value)


@pytest.mark.parametrize("text", ["branch-0001", "9c69345c-8d39-4786-9f17-8153c988c89a", "hAP ax3", "", "#jinja",
                                  "50% off", "a # jinja2: header later", "[[ not a template by default ]]"])
def test_strings_that_cannot_template_stay_plain(text):
    marked = _inventory.mark_unsafe(text)
    assert marked == text
    assert is_plain(marked)


@pytest.mark.parametrize("text", ["{{ lookup('pipe', 'id') }}", "{% for x in y %}", "{# c #}", "a{b", "a}b", "{", "}",
                                  "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ lookup('pipe','id') ]]"])
def test_strings_that_could_template_are_unsafe(text):
    marked = _inventory.mark_unsafe(text)
    assert marked == text
    assert is_unsafe(marked)


def test_lists_and_dicts_are_marked_all_the_way_down():
    location = {"name": "Head Office", "note": "{% raw %}", "{{ key }}": "x", "lat": 1.5, "up": True, "none": None}
    value = {"tags": ["region:emea", "{{ evil }}"], "location": location}
    marked = _inventory.mark_unsafe(value)
    assert marked == value
    assert is_plain(marked["tags"][0]) and is_unsafe(marked["tags"][1])
    assert is_plain(marked["location"]["name"]) and is_unsafe(marked["location"]["note"])
    assert is_plain(marked["location"]["{{ key }}"])
    assert is_unsafe(next(key for key in marked["location"] if key.startswith("{")))
    assert marked["location"]["lat"] == 1.5 and marked["location"]["up"] is True and marked["location"]["none"] is None


def test_a_template_read_back_trusted_from_a_cache_is_unsafe_again():
    evil = "{{ lookup('pipe', 'id') }}"
    marked = _inventory.mark_unsafe({"name": trust_as_template(evil) if trust_as_template else evil})
    assert is_unsafe(marked["name"])
