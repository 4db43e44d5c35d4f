# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugin of altostrat.sdx.sdx_latest_backups_info: the collection's one site action, SiteAction (plugin_utils/_site_action.py).

Every site module has its action plugin under its own name, which is how ansible-core finds it; what each does
comes from the module's own declaration (its SDXModule class).
"""

from __future__ import annotations

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import SiteAction


class ActionModule(SiteAction):
    """Checks the task's text options and fills ``site_id`` from the host's ``sdx_site_id`` (see the module's
    documentation), then runs the module: in this process when it would run in the controller's own Python
    anyway, as a module process otherwise."""
