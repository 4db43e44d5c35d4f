# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _drift, _drift_text


def drift_menus(menus, path=None, data=None, state=None, keys=None, routeros_version=None):
    try:
        return _drift.desired_menus(menus, path, data, state, keys, routeros_version)
    except SDXInputError as error:
        raise AnsibleFilterError(str(error)) from None


def drift_site(result, host, site_id, source="live", desired=None, error=None, routeros_version=None):
    if source not in _drift.SOURCES:
        raise AnsibleFilterError(f"drift_site: source must be one of {', '.join(_drift.SOURCES)}, got {source!r}")
    if source == "backup":
        return _drift.site_from_backup(host, site_id, result or {}, desired or [], routeros_version)
    return _drift.site_from_live(host, site_id, result, error)


def drift_report(hostvars, hosts, source, desired):
    return _drift.build_report(hostvars, hosts, source, desired)


def drift_summary(report):
    return _drift_text.summary(report)


def drift_junit(report):
    return _drift_text.junit(report)


class FilterModule:
    def filters(self):
        return {"drift_menus": drift_menus, "drift_site": drift_site, "drift_report": drift_report,
                "drift_summary": drift_summary, "drift_junit": drift_junit}
