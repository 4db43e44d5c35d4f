# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Action plugin base: check the types of text options, and give a site module the host's own site."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

SITE_VARIABLE = "sdx_id"
_KINDS = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (list, "a list"), (dict, "a dict"))


def type_problem(name: str, value: object) -> str | None:
    """A message when ``value`` of a text option is not a string (or unset), or holds a NUL, naming the option.

    Modules declare these options ``type: str``, and ansible-core turns a list, a dict or a number into
    its text before the module sees it; only here is the original type still known.
    """
    if isinstance(value, str) and "\0" in value:  # ansible-core 2.21 would fail logging it to syslog first
        return f"{name}: must not contain a NUL character (\\x00)"
    if value is None or isinstance(value, str):
        return None
    kind = next((label for cls, label in _KINDS if isinstance(value, cls)), type(value).__name__)
    hint = f" (write several lines as one YAML block scalar, {name}: |)" if isinstance(value, list) else ""
    return f"{name}: expected a string, got {kind}{hint}"


class SiteActionBase(ActionBase):
    """Runs the module of the same name, with ``site_id`` defaulting to the host's ``sdx_id``."""

    _supports_check_mode = True
    _supports_async = True
    site_id_required = True
    # Options that must be strings as the task wrote them, checked before the module runs.
    text_options: tuple[str, ...] = ()

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        args = dict(self._task.args)
        problems = [problem for problem in (type_problem(name, args.get(name)) for name in self.text_options)
                    if problem]
        if problems:
            result.update(failed=True, msg="; ".join(problems))
            return result
        given = args.get("site_id")
        if isinstance(given, str) and not given.strip():  # an explicit '' must not become the host's own site
            result.update(failed=True, msg=(
                f"site_id: expected a site ID, got an empty string {given!r}; leave site_id out to use the "
                f"host's {SITE_VARIABLE}"))
            return result
        if given is None and self._wants_host_site(args):
            site_id = task_vars.get(SITE_VARIABLE)
            if site_id not in (None, ""):
                args["site_id"] = site_id
            elif self.site_id_required:
                result.update(failed=True, msg=(
                    f"site_id: not given, and host {task_vars.get('inventory_hostname', '?')!r} has no "
                    f"{SITE_VARIABLE} variable; set site_id on the task, or run it on hosts of the "
                    f"altostrat.sdx.sites inventory plugin"))
                return result
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result

    def _wants_host_site(self, args: dict) -> bool:
        del args
        return True
