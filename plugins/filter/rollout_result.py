# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The filter rollout_result, documented in rollout_result.yml beside this file.

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout


def rollout_result(outcome, host, site_id, **facts):
    try:
        return _rollout.site_result(outcome, host, site_id, **facts)
    except ValueError as error:
        raise AnsibleFilterError(f"altostrat.sdx.rollout_result: {error}") from None


class FilterModule:
    def filters(self):
        return {"rollout_result": rollout_result}
