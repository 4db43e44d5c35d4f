"""The action plugin's check of text options, which sees the task's values before ansible-core turns them into text."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import type_problem


@pytest.mark.parametrize("value, message", [
    (["/a", "/b"], "script: expected a string, got a list (write several lines as one YAML block scalar, script: |)"),
    ({"a": 1}, "script: expected a string, got a dict"),
    (42, "script: expected a string, got a number"),
    (4.2, "script: expected a string, got a number"),
    (True, "script: expected a string, got a boolean"),
    ("/system reboot\0", "script: must not contain a NUL character (\\x00)"),
    ("/system identity print", None),
    (None, None),
])
def test_text_options_must_be_strings_without_nul(value, message):
    assert type_problem("script", value) == message
