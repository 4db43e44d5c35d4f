# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one action plugin of the collection, run for every site module.

meta/runtime.yml makes it the action_plugin of every other module (plugin_routing). The file bears a module's name
because ansible-test's action-plugin-docs check wants every action plugin to share its name with a module.
"""

from __future__ import annotations

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import SiteAction


class ActionModule(SiteAction):
    """Checks the task's text options and fills ``site_id`` from the host's ``sdx_site_id`` (see each module's
    documentation), then runs the task's own module: in this process when the module would run in the controller's
    own Python anyway, as a module process otherwise."""
