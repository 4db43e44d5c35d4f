# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.plugin_utils._rollout_config import checked_config


def rollout_config(config):
    try:
        return checked_config(config)
    except SDXInputError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule:
    def filters(self):
        return {"rollout_config": rollout_config}
