# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: sites
short_description: Altostrat SDX sites as Ansible hosts
version_added: 0.1.0
author:
  - Altostrat SDX collection maintainers (@altostrat)
description:
  - Makes one host per SDX site (MikroTik router) from a single C(GET /sites), following pagination if the
    API returns it. No request is made per host unless O(with_tags=true).
  - Host variables carry every site field under O(hostvars_prefix), such as C(sdx_id), C(sdx_name),
    C(sdx_online) (from C(has_pulse)), C(sdx_model) and C(sdx_software_version).
  - Every host also gets C(sdx_site_id), the site's id, whatever O(hostvars_prefix) is. The C(altostrat.sdx) site
    modules take their O(altostrat.sdx.sdx_async_script#module:site_id) from it when a task does not set one.
  - Every host of a site with a name also gets C(sdx_site_name), whatever O(hostvars_prefix) is. The site modules
    name the site by it, next to its id, in their failure messages.
  - Every string from the API that could be a Jinja template (it holds C({) or C(}), or starts with a
    C(#jinja2:) header) is marked unsafe, also inside lists and dicts, so a site named like a template is never
    templated. Every other string stays a plain string, so C(ansible-inventory --list --export), which AWX
    imports, prints it as a string.
  - Hosts run their tasks on the controller by default (C(ansible_connection=local)), since the
    C(altostrat.sdx) modules talk to the SDX API.
  - O(api_url) and O(api_token) may be Jinja templates over extra vars, so that C("{{ vault_sdx_token }}") with
    C(-e @vault.yml) works. Keep the token out of the file otherwise.
  - The configuration file name must end in C(sdx.yml) or C(sdx.yaml), for example C(fleet.sdx.yml).
extends_documentation_fragment:
  - altostrat.sdx.sdx.plugins
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; marks the file as an SDX inventory source.
    required: true
    type: str
    choices: [altostrat.sdx.sites]
  hostnames:
    description:
      - Site fields to name hosts by, in order of preference; the first one a site has a value for wins.
      - Names are sanitised to letters, digits, C(.), C(_) and C(-). Names several sites would share get each
        site's C(pid) (or C(id)) appended, with a warning.
    type: list
    elements: str
    default: [name, identity, id]
  hostvars_prefix:
    description:
      - Prefix of the host variables made from site fields.
      - C(sdx_site_id) and C(sdx_site_name) keep their names whatever the prefix, and hold the site's id and name
        even when a site field would give the same variable name.
    type: str
    default: sdx_
  group:
    description: Group of every site, and the prefix of the default groups.
    type: str
    default: sdx
  group_by:
    description:
      - Default group families. V(status) makes C(<group>_online) and C(<group>_offline); V(model) makes
        C(<group>_model_<model>); V(version) makes C(<group>_version_<major>_<minor>) from the RouterOS version;
        V(tags) makes C(<group>_tag_<tag>) when O(with_tags=true).
      - Set to V([]) for none.
    type: list
    elements: str
    choices: [status, model, version, tags]
    default: [status, model, version, tags]
  include_offline:
    description: Whether sites that are offline (no heartbeat) become hosts.
    type: bool
    default: true
  filters:
    description:
      - Jinja conditions over a site's host variables (with the O(hostvars_prefix)); a site becomes a host only
        when all of them hold, for example V(sdx_model is match('RB5009')).
      - A filter that cannot be evaluated for a host (for example an attribute of a null value) leaves the host
        out, with one warning per filter that counts and names those hosts. With O(strict=true) it fails the source
        instead.
    type: list
    elements: str
    default: []
  with_tags:
    description:
      - Fetch each site's tags (C(GET /sites/{siteId}/metadata)) into C(<prefix>tags), and groups when
        O(group_by) has V(tags). That is one request per site, run O(tags_concurrency) at a time; mind the
        API's rate limit of 60 requests a minute, and turn on the cache.
      - A failed tag read (an error answer such as 404, 403 or 5xx after retries, no answer, or an answer that is
        not the documented metadata) costs only that site its tags; the host is still made, without
        C(<prefix>tags) and tag groups. One warning counts the sites affected and says why, and such an incomplete
        result is not cached. With O(strict=true) a failed tag read fails the source instead.
    type: bool
    default: false
  tags_concurrency:
    description: How many tag requests run at once, a whole number of 1 or more.
    type: int
    default: 4
  local_connection:
    description:
      - Set C(ansible_connection=local) and C(ansible_python_interpreter={{ ansible_playbook_python }}) on every host,
        so that tasks of the C(altostrat.sdx) modules run on the controller, inside their action plugin (no Python
        is started per host).
      - Turn it off to connect to the routers themselves, for example with C(compose) setting C(ansible_host).
    type: bool
    default: true
notes:
  - The cache holds the processed hosts; a cache hit makes no API request. Reading the cache does not extend its lifetime.
"""

EXAMPLES = r"""
---
# fleet.sdx.yml: every site, token from SDX_API_TOKEN
plugin: altostrat.sdx.sites

---
# Constructed groups and variables over the sdx_ host variables
plugin: altostrat.sdx.sites
include_offline: false
filters:
  - sdx_software_version is version('7.0', '>=')
compose:
  routeros_major: sdx_software_version.split('.')[0]
groups:
  core: sdx_model is match('CCR')
keyed_groups:
  - key: sdx_board_name
    prefix: board

---
# Tags as groups, cached for an hour
plugin: altostrat.sdx.sites
with_tags: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/altostrat-sdx
cache_timeout: 3600

---
# Token from a vaulted variable: ansible-inventory -i fleet.sdx.yml -e @vault.yml --graph
plugin: altostrat.sdx.sites
api_token: "{{ vault_sdx_token }}"
hostnames: [identity, name, id]
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleParserError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.altostrat.sdx.plugins.module_utils._client import HAS_REQUESTS, client_from_options
from ansible_collections.altostrat.sdx.plugins.module_utils._connection import CONNECTION_OPTION_NAMES
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError, SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI
from ansible_collections.altostrat.sdx.plugins.module_utils._models import HAS_PYDANTIC, Site
from ansible_collections.altostrat.sdx.plugins.module_utils._numbers import count
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _inventory

display = Display()
# Variables the plugin writes itself, trusted: plain text, and (on purpose) a template over a magic variable.
LOCAL_CONNECTION = {"ansible_connection": _inventory.trust_as_template("local"),
                    "ansible_python_interpreter": _inventory.trust_as_template("{{ ansible_playbook_python }}")}


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "altostrat.sdx.sites"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("sdx.yml", "sdx.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_REQUESTS or not HAS_PYDANTIC:
            missing = "requests" if not HAS_REQUESTS else "pydantic>=2"
            raise AnsibleParserError(f"{self.NAME}: {missing_required_lib(missing)}")
        try:
            hosts = self._hosts(path, cache)
        except (SDXError, SDXInputError) as error:
            raise AnsibleParserError(f"{self.NAME}: {error}") from None
        self._populate(hosts)

    # -- fetching (or the cache) -------------------------------------------------------------------
    def _hosts(self, path: str, cache: bool) -> list[dict]:
        key = self.get_cache_key(path)
        if self.get_option("cache") and cache:
            cached = self._cache.get(key)
            # An entry written by an earlier version may lack the site variable: such an entry is a miss.
            if cached is not None and all(_inventory.SITE_VARIABLE in host.get("vars", {}) for host in cached):
                return cached
        hosts, complete = self._fetch_hosts()
        # Only after a fetch (a cache hit must not extend the entry's lifetime), and only a complete one: hosts
        # that lost their tags to a failed read get them on the next run, not after cache_timeout.
        if self.get_option("cache") and complete:
            self._cache[key] = hosts
        return hosts

    def _connection_options(self) -> dict:
        options = {name: self.get_option(name) for name in CONNECTION_OPTION_NAMES}
        self.templar.available_variables = self._vars
        for name in ("api_url", "api_token"):
            if isinstance(options[name], str) and self.templar.is_template(options[name]):
                options[name] = self.templar.template(options[name])
        return options

    def _fetch_hosts(self) -> tuple[list[dict], bool]:
        """The hosts, and whether they are complete (no tag read failed)."""
        options = self._connection_options()
        concurrency = count("tags_concurrency", self.get_option("tags_concurrency"), minimum=1,
                            what="tag requests at once")
        client = client_from_options(options, agent="inventory")
        try:
            sites = [site for site in FleetAPI(client).sites() if self.get_option("include_offline") or site.online]
        finally:
            for warning in client.budget.warnings if client.budget is not None else ():
                display.warning(f"{self.NAME}: {warning}")
        named, warnings = _inventory.assign_names(sites, self.get_option("hostnames"))
        for warning in warnings:
            display.warning(f"{self.NAME}: {warning}")
        tags, tag_failures = self._fetch_tags(options, named, concurrency) if self.get_option("with_tags") else ({}, [])
        if tag_failures:
            self._report_tag_failures(tag_failures, len(named))
        prefix, group = self.get_option("hostvars_prefix"), self.get_option("group")
        hosts = []
        filter_errors: dict[str, list[tuple[str, str]]] = {}
        for name, site in named:
            site_tag_list = tags.get(site.id)  # None: tags not asked for, or not readable
            variables = {**_inventory.host_vars(site, prefix, site_tag_list), **_inventory.site_variables(site)}
            if not self._passes_filters(name, variables, filter_errors):
                continue
            hosts.append({"name": name, "vars": variables,
                          "groups": _inventory.default_groups(site, group, self.get_option("group_by"), site_tag_list)})
        for condition, failures in filter_errors.items():
            display.warning(f"{self.NAME}: {_inventory.filter_failure_summary(condition, failures)}")
        return hosts, not tag_failures

    def _fetch_tags(self, options: dict, named: list[tuple[str, Site]],
                    concurrency: int) -> tuple[dict[str, list], list[tuple]]:
        """Tags by site id for the sites whose tags could be read, and (host, HTTP status, error) for the others."""
        local = threading.local()

        def tags_of(host: tuple[str, Site]) -> tuple[str, str, object]:
            name, site = host
            if not hasattr(local, "client"):
                local.client = client_from_options(options, agent="inventory")
            try:
                return name, site.id, FleetAPI(local.client).site(site.id).tags()
            except SDXError as error:
                return name, site.id, error

        tags, failures = {}, []
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for name, site_id, result in pool.map(tags_of, named):
                if isinstance(result, SDXError):
                    failures.append((name, result.status, str(result)))
                else:
                    tags[site_id] = result
        return tags, failures

    def _report_tag_failures(self, failures: list[tuple], total: int) -> None:
        """One warning for every failed tag read, or under ``strict`` one error."""
        summary = _inventory.tag_failure_summary(failures, total, self.get_option("hostvars_prefix"))
        if self.get_option("strict"):
            raise AnsibleParserError(f"{self.NAME}: {summary} (strict: true)")
        display.warning(f"{self.NAME}: {summary}; set strict: true to fail instead")

    def _passes_filters(self, name: str, variables: dict, errors: dict[str, list[tuple[str, str]]]) -> bool:
        """Whether every filter holds; one that cannot be evaluated fails the source under ``strict``, else leaves
        the host out and is noted in ``errors`` (condition -> [(host, error)])."""
        conditions = self.get_option("filters")
        unsafe = _inventory.mark_unsafe(variables) if conditions else variables
        for condition in conditions:
            try:
                if not self._compose(condition, unsafe):
                    return False
            except Exception as error:  # pylint: disable=broad-exception-caught  # any template error
                if self.get_option("strict"):
                    raise AnsibleParserError(f"{self.NAME}: filter {condition!r} failed for host {name}: {error}") from None
                errors.setdefault(condition, []).append((name, str(error)))
                return False
        return True

    # -- building the inventory --------------------------------------------------------------------
    def _populate(self, hosts: list[dict]) -> None:
        group = self.inventory.add_group(self.get_option("group"))
        strict = self.get_option("strict")
        for host in hosts:
            name = self.inventory.add_host(host["name"], group=group)
            variables = _inventory.mark_unsafe(host["vars"])
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            if self.get_option("local_connection"):
                for key, value in LOCAL_CONNECTION.items():
                    self.inventory.set_variable(name, key, value)
            for extra in host["groups"]:
                self.inventory.add_child(self.inventory.add_group(extra), name)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
