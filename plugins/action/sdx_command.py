# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import SiteActionBase


class ActionModule(SiteActionBase):
    """Fills site_id from the host's sdx_id variable (see the module's documentation); refuses text options
    given as another type."""

    text_options = ("command",)
