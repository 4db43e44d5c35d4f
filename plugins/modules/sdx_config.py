#!/usr/bin/python
# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sdx_config
short_description: Declarative RouterOS configuration of one menu of an SDX site
version_added: 0.1.0
description:
  - Makes one RouterOS menu (O(path), for example V(ip address) or V(ip firewall filter)) of a router managed by
    Altostrat SDX hold the entries in O(data), in the format of M(community.routeros.api_modify), and reports
    C(changed) from what the router holds, not from the job history.
  - The menu is read with one C(print) through the synchronous command endpoint (C(POST /api/synchronous/{siteId})).
    Both answer shapes SDX documents are read (typed rows with hyphenated keys, and all-string rows with
    underscored keys), and values are compared as the router means them (V(yes) and V(true), V(1d) and V(24h),
    V(2048KiB) and V(2MiB), sets such as C(connection-state) in any order).
  - When something must change, one RouterOS script does all of it (C(add), C(set [find where ...]),
    C(remove [find where ...]), C(move) for ordered menus), queued as one job through the same at-most-once path as
    M(altostrat.sdx.sdx_async_script), with C(needs_acknowledgement) so that a failing line fails the job. Rows are
    found by their identifying values, never by an C(.id) read earlier. Every value is escaped and quoted, so it stays
    a literal value on the router.
  - With O(wait=true) (the default) the task waits for the job, reads the menu again and returns RV(converged).
    If the router does not hold the desired state then, the task fails with C(changed=true) and RV(difference).
  - A compliant router costs one request (the read) and no job, whatever the job history says.
  - Which properties identify an entry, their defaults, which are read-only or write-only, which menus are ordered
    and which hold a single value come from the RouterOS data model of the C(community.routeros) collection (a
    dependency of this collection). See R(the declarative configuration guide,ansible_collections.altostrat.sdx.docsite.declarative).
  - "The module talks to the SDX API, not to the router. Run it on the controller, for example with
    C(delegate_to: localhost) or C(connection: local)."
author:
  - Altostrat SDX collection maintainers (@altostrat)
extends_documentation_fragment:
  - altostrat.sdx.sdx
  - altostrat.sdx.sdx.job
  - altostrat.sdx.sdx.confirm
  - altostrat.sdx.sdx.actiongroup_sdx
  - altostrat.sdx.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the menu as a real run does, and returns RV(commands), RV(after) and the diff a real run would have,
        without sending any POST. Its C(changed) is exactly that of a real run, which fails if the job fails.
      - With O(confirm_timeout), RV(confirm) shows the scheduler entry and the revert lines that would be armed.
  diff_mode:
    support: full
    details:
      - Shows the menu's entries before and after, in the O(data) format, write-only values left out.
  idempotent:
    support: full
    details:
      - A second run reads the menu, finds nothing to change, and reports C(ok), with one request and no job.
      - Write-only properties cannot be read back; with O(update_secrets=always) every run sets them again and
        reports C(changed).
requirements:
  - community.routeros >= 3.14.0, < 4.0.0 (its RouterOS data model)
options:
  site_id:
    description:
      - UUID of the SDX site (router).
      - When the task does not set it, the host variable C(sdx_site_id) is used, which the
        P(altostrat.sdx.sites#inventory) inventory sets on every host.
      - Not needed for O(state=rendered) and O(state=parsed), which make no request.
    type: str
  path:
    description:
      - The RouterOS menu, words separated by spaces as M(community.routeros.api_modify) writes it, for example
        V(ip address), V(ip firewall filter), V(system ntp client) or V(ip dns). V(/ip/address) is read the same.
      - A menu the data model does not know needs O(keys).
    type: str
    required: true
  data:
    description:
      - The entries, each a dict of RouterOS property names to values (text, numbers, booleans), as in
        M(community.routeros.api_modify). A list value is written as one comma-separated string, as RouterOS does.
      - Every entry names the properties that identify it (for example C(address) and C(interface) in V(ip address)),
        and in ordered menus its C(chain). A menu that holds a single value (V(ip dns)) takes one entry.
      - A value of V(null) unsets the property (or sets it to its empty value, such as C(comment)); a property the
        model says cannot be unset is refused.
      - Properties the model does not know for the menu, read-only properties, C(.id), and lists or dicts as values
        are refused before any request, naming the entry and the property.
    type: list
    elements: raw
  state:
    description:
      - V(merged), the listed entries are added, or their listed properties set; nothing else is touched.
      - V(replaced), the listed entries are made exactly as listed; their properties not listed go back to their
        defaults (or are unset).
      - V(overridden), the menu holds exactly the listed entries, as V(replaced) makes them, in the listed order when
        the model marks the menu as ordered (the firewall tables); every other entry is removed. Dynamic entries and
        entries the router marks as default are left alone.
      - V(deleted), the listed entries (matched by their identifying keys) are removed; without O(data), every entry
        that can be removed.
      - V(gathered), reads the menu and returns it as RV(gathered), in the O(data) format.
      - V(rendered), returns the script for O(data) as RV(rendered), as if the menu were empty; no request.
      - V(parsed), reads O(running_config) (the text of a RouterOS C(/export), such as an SDX backup's content) and
        returns the menu as RV(parsed); no request.
    type: str
    default: merged
    choices: [merged, replaced, overridden, deleted, gathered, rendered, parsed]
  keys:
    description:
      - The properties that identify an entry, instead of the model's.
      - Menus whose model has none (the firewall tables) match an entry to a row that holds every listed value;
        two rows holding exactly the same values cannot be told apart, and the task then fails before any POST and
        asks for O(keys), for example V([comment]).
      - Needed for a menu the model does not know; nothing is then known of its defaults or write-only properties.
    type: list
    elements: str
  routeros_version:
    description:
      - The RouterOS version whose properties the model uses, for the menus whose properties differ between
        versions. Defaults to V(7.20).
      - Over the P(altostrat.sdx.sites#inventory) inventory, set it to C("{{ sdx_software_version }}").
    type: str
  update_secrets:
    description:
      - How write-only properties (passwords, pre-shared keys, private keys) decide C(changed). The router never
        returns them, so they cannot be compared.
      - V(on_create), they are sent when the entry is added, and otherwise ignored; a changed password in O(data)
        is not applied to an existing entry.
      - V(always), they are set on every run, which then always reports C(changed).
      - Their values are never shown in RV(before), RV(after), RV(commands), the diff or the invocation.
    type: str
    default: on_create
    choices: [on_create, always]
  running_config:
    description: The text of a RouterOS C(/export), for O(state=parsed) only.
    type: str
  description:
    description: Description of the job in SDX. Defaults to C(sdx_config <path> (<state>)).
    type: str
  make_backup:
    description: Have SDX take a configuration backup of the router before the script runs.
    type: bool
    default: false
  wait:
    description:
      - Wait for the job, then read the menu again and return RV(converged).
      - With O(wait=false), the task returns once the job is queued; RV(after) is then the prediction.
    type: bool
    default: true
notes:
  - Runs on the controller and needs network access to O(api_url) from there.
  - With O(confirm_timeout), the revert is computed from the menu as read before the change (the inverse C(add),
    C(set), C(remove) and C(move) lines). A change whose revert would need a write-only value (removing an entry
    with a password, or setting one with O(update_secrets=always)) is refused, since the router never returns it.
  - The script stops at its first error, as RouterOS scripts do, leaving the lines before it applied; the job then
    fails, and so does the task. A re-run reads the menu and sends only what is still missing.
seealso:
  - module: community.routeros.api_modify
    description: The same data format, over a direct API connection to each router.
  - module: altostrat.sdx.sdx_async_script
    description: Queue any RouterOS script; its O(altostrat.sdx.sdx_async_script#module:unless_found) reads state first.
"""

EXAMPLES = r"""
- name: The guest address on the bridge (added, or its comment set)
  altostrat.sdx.sdx_config:
    path: ip address
    data:
      - address: 192.168.99.1/24
        interface: bridge
        comment: guest
  delegate_to: localhost

- name: DNS servers and cache
  altostrat.sdx.sdx_config:
    path: ip dns
    data:
      - servers: 1.1.1.1,8.8.8.8
        cache-max-ttl: 1d
  delegate_to: localhost

- name: Exactly these input rules, in this order
  altostrat.sdx.sdx_config:
    path: ip firewall filter
    keys: [comment]
    state: overridden
    data:
      - {chain: input, action: accept, connection-state: "established,related", comment: established}
      - {chain: input, action: accept, protocol: icmp, comment: icmp}
      - {chain: input, action: drop, in-interface: ether1, comment: drop from the WAN port}
  delegate_to: localhost

- name: What would change (check mode), with the commands
  altostrat.sdx.sdx_config:
    path: system ntp client servers
    data:
      - address: 162.159.200.1
  check_mode: true
  register: ntp
  delegate_to: localhost

- name: A WAN firewall rule, undone by the router itself unless SDX still reaches it afterwards
  altostrat.sdx.sdx_config:
    path: ip firewall filter
    keys: [comment]
    data:
      - chain: input
        action: drop
        in-interface: ether1
        protocol: tcp
        dst-port: "8291"
        comment: no winbox from the WAN
    confirm_timeout: 10m
  register: winbox
  delegate_to: localhost

- name: Read a menu in the data format, to feed it back later
  altostrat.sdx.sdx_config:
    path: ip address
    state: gathered
  register: addresses
  delegate_to: localhost

- name: Read the newest backup of the site
  altostrat.sdx.sdx_backup_info:
    latest: true
  register: newest
  delegate_to: localhost

- name: Read the same menu from that backup's export text, with no request to the router
  altostrat.sdx.sdx_config:
    path: ip address
    state: parsed
    running_config: "{{ newest.backup.content }}"
  delegate_to: localhost
"""

RETURN = r"""
before:
  description: The menu's entries before the run, in the O(data) format (defaults, read-only values and dynamic entries left out).
  returned: when the menu was read (not for gathered, rendered, parsed)
  type: list
  elements: dict
  sample: [{address: 192.168.88.1/24, interface: bridge, comment: defconf}]
after:
  description:
    - The menu's entries after the run, as read again once the job completed.
    - In check mode, and with O(wait=false), what the run predicts.
  returned: when the menu was read (not for gathered, rendered, parsed)
  type: list
  elements: dict
commands:
  description: The lines of the script sent (or, in check mode, that would be sent); empty when nothing changes. Write-only values show as C(********).
  returned: when the menu was read (not for gathered, rendered, parsed)
  type: list
  elements: str
  sample: ["/ip address add address=192.168.99.1/24 interface=bridge comment=guest"]
converged:
  description:
    - V(true) when the router holds the desired state after the run (read again after the job, or nothing to change).
    - V(null) in check mode and with O(wait=false), when a change was queued but not read back.
  returned: when the menu was read (not for gathered, rendered, parsed)
  type: bool
difference:
  description: When the task failed because the router does not hold the desired state after the job, the commands still needed.
  returned: failure after the job
  type: list
  elements: str
job:
  description: The job that carried the script, as M(altostrat.sdx.sdx_async_script) returns it; V(null) when nothing was queued.
  returned: when the menu was read (not for gathered, rendered, parsed)
  type: dict
transitions:
  description: Status changes the wait saw, each with the controller time (UTC) it was seen at.
  returned: when a job was queued and waited for
  type: list
  elements: dict
gathered:
  description: The menu's entries in the O(data) format, ready to feed back (O(state=gathered)).
  returned: when O(state=gathered)
  type: list
  elements: dict
rendered:
  description: The script's lines for O(data) (O(state=rendered)), write-only values shown as C(********).
  returned: when O(state=rendered)
  type: list
  elements: str
parsed:
  description: The menu's entries read from O(running_config), in the O(data) format (O(state=parsed)).
  returned: when O(state=parsed)
  type: list
  elements: dict
outcome:
  description:
    - With O(confirm_timeout), once the job ran, V(confirmed) (the change holds and the revert is disarmed),
      V(reverted) (contact was lost and the revert ran; the task fails) or V(unknown) (the task fails; the message
      says what to check).
    - V(null) in check mode, when nothing changes, and without O(confirm_timeout).
  returned: when O(confirm_timeout) is set and the menu was read
  type: str
  choices: [confirmed, reverted, unknown]
confirm:
  description:
    - With O(confirm_timeout), what was armed on the router and how it was confirmed.
    - C(scheduler) (the entry's name), C(timeout) (seconds), C(armed) (the lines run before the change), C(revert)
      (the revert's lines), C(confirm_script), C(armed_at) and C(deadline) (by SDX's clock), C(contact) (the
      synchronous round trip and the check-in that proved contact), C(job) (the confirm job), C(router_back_at)
      (when a reverted router answered again) and C(disarmed_at).
  returned: when O(confirm_timeout) is set and something changes
  type: dict
reverted_to_before:
  description: After a revert, whether the menu read back holds what it held before the change.
  returned: when RV(outcome=reverted)
  type: bool
error:
  description: The API error, when the task failed on one (as M(altostrat.sdx.sdx_async_script) returns it).
  returned: failure
  type: dict
"""

from typing import Any, Callable, Optional

from ansible_collections.altostrat.sdx.plugins.module_utils import _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._config import OFFLINE_STATES, as_text, read_menu
from ansible_collections.altostrat.sdx.plugins.module_utils._config_input import check_data, parse_export
from ansible_collections.altostrat.sdx.plugins.module_utils._config_plan import STATES, Plan, make_plan
from ansible_collections.altostrat.sdx.plugins.module_utils._config_render import script, written_forms
from ansible_collections.altostrat.sdx.plugins.module_utils._config_revert import revert_lines, same_entries
from ansible_collections.altostrat.sdx.plugins.module_utils._config_values import is_dynamic, to_data
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm import (
    CONFIRM_OPTIONS, NOT_STARTED, ConfirmPlan, parse_duration, scheduler_name)
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm_flow import refuse_if_armed, settle, wait_change
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest, Job
from ansible_collections.altostrat.sdx.plugins.module_utils._module import SDXModule
from ansible_collections.altostrat.sdx.plugins.module_utils._routeros_model import Menu, load_menu
from ansible_collections.altostrat.sdx.plugins.module_utils._secrets import is_secret_name
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI


class ConfigModule(SDXModule):
    argument_spec = {
        "path": {"type": "str", "required": True},
        "data": {"type": "list", "elements": "raw"},
        "state": {"type": "str", "default": "merged", "choices": list(STATES)},
        # Names of identifying properties, not secrets.
        "keys": {"type": "list", "elements": "str", "no_log": False},
        "routeros_version": {"type": "str"},
        "update_secrets": {"type": "str", "default": "on_create", "choices": ["on_create", "always"]},
        # An export holds the router's secrets: never echoed in the invocation.
        "running_config": {"type": "str", "no_log": True},
        "description": {"type": "str"},
        "make_backup": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": True},
        **_jobs.JOB_OPTIONS,
        **CONFIRM_OPTIONS,
    }
    # rendered and parsed make no request: run() says when a state that reads the router has no site.
    takes_site = "optional"
    seconds = tuple(_jobs.JOB_OPTIONS)
    confirm_seconds: Optional[int] = None  # confirm_timeout, in seconds
    change_job: Optional[Job] = None  # the job of the change, once waited for
    armed: Optional[ConfirmPlan] = None  # with confirm_timeout, the revert the job arms first

    def run(self) -> None:
        state = self.params["state"]
        menu = load_menu(self.params["path"], self.params["routeros_version"], self.params["keys"])
        self._check_options(state)
        self.confirm_seconds = self._check_confirm(state)
        desired = check_data(menu, state, self.params["data"])
        self._protect_secrets(menu, desired)
        if state == "rendered":
            plan = make_plan(menu, "merged", desired, [])
            self.result["rendered"] = script(menu, plan.changes, mask=True)
            return
        if state == "parsed":
            parsed = parse_export(menu, self.params["running_config"])
            self._protect_secrets(menu, parsed)
            self.result["parsed"] = parsed
            return
        site = self.site()
        rows = read_menu(site, menu)
        self._protect_secrets(menu, rows)
        if state == "gathered":
            self.result["gathered"] = [to_data(row, menu) for row in rows if not is_dynamic(row)]
            return
        self._apply(site, menu, state, desired, rows)

    def _check_options(self, state: str) -> None:
        if state == "parsed" and self.params["running_config"] is None:
            raise SDXInputError("running_config: state=parsed needs the text of a RouterOS /export")
        if state != "parsed" and self.params["running_config"] is not None:
            raise SDXInputError(f"running_config: only read with state=parsed, not state={state}")
        if state not in OFFLINE_STATES and not self.params["site_id"]:
            raise SDXInputError(f"site_id: state={state} reads the router, so it needs a site (site_id, or the "
                                f"host's sdx_site_id)")
        if state in ("gathered", "parsed") and self.params["data"] is not None:
            raise SDXInputError(f"data: state={state} takes no data; it returns the menu in that format")

    def _check_confirm(self, state: str) -> Optional[int]:
        seconds = parse_duration(self.params["confirm_timeout"])
        if seconds is not None and (state in OFFLINE_STATES or state == "gathered"):
            raise SDXInputError(f"confirm_timeout: state={state} changes nothing, so there is nothing to confirm")
        if seconds is not None and not self.params["wait"]:
            raise SDXInputError("confirm_timeout: needs wait=true; the task proves contact and confirms after the job")
        return seconds

    def _protect_secrets(self, menu: Menu, entries: list[dict[str, Any]]) -> None:
        """Secret values (write-only properties, and properties named as secrets, such as a PPP password that the
        router prints) are masked wherever the result shows them, ``invocation`` included."""
        for entry in entries:
            for name, value in entry.items():
                spec = menu.field(name)
                secret = (spec is not None and spec.write_only) or is_secret_name(name, menu.path)
                if secret and isinstance(value, str) and value:
                    # As written in the change and revert lines too, where quoting escapes it.
                    self.module.no_log_values.update(written_forms(value))

    def _apply(self, site: SiteAPI, menu: Menu, state: str, desired: list[dict[str, Any]],
               rows: list[dict[str, Any]]) -> None:
        update_secrets = self.params["update_secrets"]
        plan = make_plan(menu, state, desired, rows, update_secrets)
        commands = script(menu, plan.changes, mask=True)
        self.result.update(before=plan.before, commands=commands, job=None)
        if not plan.changes:
            self.result.update(after=plan.before, converged=True)
            return
        self.result.update(changed=True, after=plan.after, converged=None)
        self._diff(site, menu, plan.before, plan.after)
        description = self.params["description"] or f"sdx_config {menu.path} ({state})"
        lines = script(menu, plan.changes)
        armed = self._arm(site, menu, plan, description, lines)
        if armed is not None:
            refuse_if_armed(site, armed)
        if self.module.check_mode:
            return
        request = AsynchronousScriptRequest(
            description=description, script=armed.job_script(lines) if armed else "\n".join(lines) + "\n",
            make_backup=self.params["make_backup"], needs_acknowledgement=True)
        job = self._queue_and_wait(site, request, armed and (
            lambda change, failure: self._confirmed_apply(site, menu, armed, description, change, failure)))
        if job is None:
            return
        if armed is not None:
            self._confirmed_apply(site, menu, armed, description, self.change_job)
        self._confirm(site, menu, state, desired, job)

    def _arm(self, site: SiteAPI, menu: Menu, plan: Plan, description: str, lines: list[str]) -> Optional[ConfirmPlan]:
        """With confirm_timeout: the revert the job arms first (shown in check mode too)."""
        if self.confirm_seconds is None:
            return None
        armed = ConfirmPlan(name=scheduler_name(site.id, "\n".join(lines), description), seconds=self.confirm_seconds,
                            revert=revert_lines(menu, plan))
        self.result.update(outcome=None, confirm=armed.to_result())
        self.armed = armed
        return armed

    def _confirmed_apply(self, site: SiteAPI, menu: Menu, armed: ConfirmPlan, description: str,
                         change: Job, failure: Optional[str] = None) -> None:
        """Prove contact and confirm (or, after a failed job, watch the revert); fail unless confirmed."""
        outcome = settle(site, armed, description, change, self.params, failure)
        self.result.update(outcome=outcome.outcome, confirm=outcome.details)
        if outcome.confirmed:
            return
        message = outcome.message
        if outcome.outcome == "reverted":
            rows = read_menu(site, menu)
            after = make_plan(menu, "merged", [], rows).before
            restored = same_entries(menu, after, self.result["before"])
            self.result.update(after=after, converged=False, reverted_to_before=restored)
            self._diff(site, menu, self.result["before"], after)
            held = "what it held before the change" if restored else "other entries than before (see before and after)"
            message += f". Read back, {menu.cli_path} holds {held}"
        self.module.fail_json(msg=f"site {site.id}, menu {menu.cli_path}: {message}", **self.result)

    def _diff(self, site: SiteAPI, menu: Menu, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = {"before": as_text(before), "after": as_text(after),
                                   "before_header": f"site {site.id}: {menu.cli_path} before",
                                   "after_header": f"site {site.id}: {menu.cli_path} after"}

    def _queue_and_wait(self, site: SiteAPI, request: AsynchronousScriptRequest,
                        armed_failure: Optional[Callable[[Job, str], None]] = None) -> Optional[dict[str, Any]]:
        """Queue the script through the at-most-once path; the completed job when waiting, else None."""
        planned = _jobs.plan(site, request, force=True)
        queued = _jobs.queue(site, request, planned.known_ids, self.params["settle_timeout"])
        if queued.warning:
            self.module.warn(queued.warning)
        if queued.adopted is not None:
            self.result["job"] = queued.adopted.to_result()
            target = _jobs.Target(job=queued.adopted)
        else:
            self.result["job"] = _jobs.pending_result(site.id, request, queued)
            target = _jobs.Target(idempotency_key=queued.accepted.idempotency_key if queued.accepted else None,
                                  request=request, known_ids=planned.known_ids)
        if not self.params["wait"]:
            return None
        outcome = wait_change(site, target, self.armed, self.params["wait_timeout"], self.params["poll_interval"])
        self.result.update(job=outcome.job.to_result(), transitions=outcome.transitions)
        self.change_job = outcome.job
        failure = outcome.failure(site.id, self.params["wait_timeout"])
        if failure and armed_failure is not None:
            if not outcome.job.started_at:
                failure += NOT_STARTED
            else:
                armed_failure(outcome.job, failure)  # it armed the revert first: watch it undo the rest
        if failure:
            self.module.fail_json(msg=f"{failure}; the router may hold part of the change (the script stops at its "
                                      f"first error)", **self.result)
        return self.result["job"]

    def _confirm(self, site: SiteAPI, menu: Menu, state: str, desired: list[dict[str, Any]],
                 job: dict[str, Any]) -> None:
        """Read the menu again: ``converged`` when nothing is left to change, else the task fails with the rest."""
        rows = read_menu(site, menu)
        remaining = make_plan(menu, state, desired, rows, "on_create")
        self.result.update(after=remaining.before, converged=not remaining.changes)
        self._diff(site, menu, self.result["before"], remaining.before)
        if remaining.changes:
            self.result["difference"] = script(menu, remaining.changes, mask=True)
            self.module.fail_json(msg=f"job {job.get('id')} completed, but menu {menu.cli_path} of site {site.id} "
                                      f"does not hold the desired state: {len(self.result['difference'])} "
                                      f"command(s) are still needed (see difference)", **self.result)


def main() -> None:
    ConfigModule.main()


if __name__ == "__main__":
    main()
