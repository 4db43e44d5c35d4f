# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Reading a RouterOS menu for altostrat.sdx.sdx_config (its module file holds the task's steps).

``changed`` comes from what the router holds, never from the job list: a compliant router costs one read and no
POST.
"""

from __future__ import annotations

import json
from typing import Any

from ._config_values import normalise_row
from ._errors import SDXError
from ._routeros_model import Menu
from ._site_api import SiteAPI

OFFLINE_STATES = ("rendered", "parsed")


def read_menu(site: SiteAPI, menu: Menu) -> list[dict[str, Any]]:
    """The menu's rows, from one ``print`` through the synchronous endpoint, in the typed shape."""
    answer = site.run_command(f"{menu.api_path}/print", None)
    rows = []
    for row in answer:
        if not isinstance(row, dict):
            raise SDXError(f"SDX answered {menu.api_path}/print on site {site.id!r} with a row that is not an object: "
                           f"{str(row)[:120]}")
        rows.append(normalise_row(row, menu))
    return rows


def as_text(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
