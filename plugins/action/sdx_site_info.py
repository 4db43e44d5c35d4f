# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import SiteActionBase


class ActionModule(SiteActionBase):
    """Describes the host's own site (its sdx_id) unless the task asks for sites by name or id."""

    site_id_required = False

    def _wants_host_site(self, args: dict) -> bool:
        return args.get("name") in (None, "")
