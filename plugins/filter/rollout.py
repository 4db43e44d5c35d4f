# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

from ansible import context
from ansible.errors import AnsibleFilterError

from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout, _rollout_text


def rollout_report(hostvars, hosts, description, check_mode=False, config_diff=False, reached_only=False):
    return _rollout.build_report(hostvars, hosts, description, check_mode, config_diff, reached_only)


def rollout_table(report):
    return _rollout_text.table(report)


def rollout_junit(report):
    return _rollout_text.junit(report)


def rollout_serial(value):
    try:
        return _rollout.batches(value)
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from None


def rollout_path(path):
    # Filters run on the controller, in ansible-playbook's own working directory and with its command line.
    playbooks = (context.CLIARGS or {}).get("args") or ()
    return _rollout.resolve_path(path, playbooks, os.getcwd())


class FilterModule:
    def filters(self):
        return {"rollout_report": rollout_report, "rollout_table": rollout_table, "rollout_junit": rollout_junit,
                "rollout_path": rollout_path, "rollout_serial": rollout_serial}
