"""The adapter over community.routeros's data model: every menu of the pinned version, and its failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils import _routeros_model as model
from ansible_collections.community.routeros.plugins.module_utils import _api_data

ROOT = Path(__file__).resolve().parents[4]


def test_the_installed_collection_is_the_pinned_version():
    manifest = Path(_api_data.__file__).resolve().parents[2] / "MANIFEST.json"
    version = json.loads(manifest.read_text())["collection_info"]["version"]
    assert version == model.TESTED_VERSION
    galaxy = (ROOT / "galaxy.yml").read_text()
    assert f'community.routeros: "{model.SUPPORTED_RANGE}"' in galaxy
    assert f"ROUTEROS_VERSION := {model.TESTED_VERSION}" in (ROOT / "Makefile").read_text()
    ee = (ROOT / "examples" / "ee" / "requirements.yml").read_text()
    assert f'name: community.routeros\n    version: "{model.SUPPORTED_RANGE}"' in ee


@pytest.mark.parametrize("version", ["6.49.10", "7.12", model.DEFAULT_ROUTEROS_VERSION])
def test_every_menu_of_the_pinned_version_loads_or_is_refused_with_a_reason(version):
    loaded = refused = 0
    for path in model.known_paths():
        try:
            menu = model.load_menu(path, version)
        except model.ModelError as error:
            refused += 1
            assert repr(path) in str(error) and "format" not in str(error), str(error)
            continue
        loaded += 1
        assert menu.path == path and menu.api_path == "/" + path.replace(" ", "/")
        assert menu.fields, path
        assert set(menu.keys) <= set(menu.fields) and set(menu.order_keys) <= set(menu.fields)
        assert not (menu.single_value and menu.keys), path
        for name, field in menu.fields.items():
            assert field.name == name
            assert not (field.read_only and field.write_only)
    assert loaded > 150, (loaded, refused)


def test_the_menus_the_module_documents():
    address = model.load_menu("/ip/address")
    assert address.path == "ip address" and address.keys == ("address", "interface") and not address.ordered
    assert address.fields["network"].computed and not address.fields["network"].writable
    firewall = model.load_menu("ip firewall filter")
    assert firewall.ordered and firewall.order_keys == ("chain",) and firewall.keys == ()
    dns = model.load_menu("ip dns")
    assert dns.single_value and dns.fields["cache-max-ttl"].default == "1w"
    assert model.load_menu("user").fields["password"].write_only
    assert "doh-timeout" not in model.load_menu("ip dns", "7.1").fields
    assert "doh-timeout" in model.load_menu("ip dns", "7.8").fields


def test_keys_given_by_the_task_replace_the_models_and_must_be_properties():
    assert model.load_menu("ip firewall filter", keys=["comment"]).keys == ("comment",)
    with pytest.raises(model.ModelError, match=r"keys: 'colour' is not a property of menu 'ip address'"):
        model.load_menu("ip address", keys=["colour"])


def test_an_unknown_menu_is_refused_unless_keys_are_given():
    with pytest.raises(model.ModelError, match=r"does not know the menu 'ip frobnicator'; give the properties"):
        model.load_menu("ip frobnicator")
    menu = model.load_menu("ip frobnicator", keys=["name"])
    assert menu.keys == ("name",) and menu.fields == {}


def test_a_missing_collection_names_the_version_needed(monkeypatch):
    monkeypatch.setattr(model, "HAS_ROUTEROS", False)
    with pytest.raises(model.ModelError, match=r"community.routeros >=3.14.0,<4.0.0 \(tested with 3.14.0\)"):
        model.load_menu("ip address")


def test_a_data_format_not_understood_names_the_version_needed(monkeypatch):
    monkeypatch.setattr(_api_data, "PATHS", [("ip", "address")])
    with pytest.raises(model.ModelError, match=r"format this collection does not understand.*>=3.14.0,<4.0.0"):
        model.load_menu("ip address")


def test_a_field_without_the_attributes_used_is_a_format_error(monkeypatch):
    class Strange:
        def provide_version(self, version):
            return True, None

        def get_data(self):
            return type("Data", (), {"primary_keys": ("name",), "stratify_keys": None, "single_value": False,
                                     "has_identifier": False, "unknown_mechanism": False,
                                     "fully_understood": True, "fixed_entries": False,
                                     "fields": {"name": object()}})()

    monkeypatch.setitem(_api_data.PATHS, ("strange",), Strange())
    with pytest.raises(model.ModelError, match=r"property 'name' lacks default"):
        model.load_menu("strange")
