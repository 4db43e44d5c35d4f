# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    # The connection options of module_utils/_connection.py, for modules (DOCUMENTATION) and for the inventory
    # plugin (PLUGINS). The two say the same in the form each kind of plugin takes: modules name their environment
    # variables in the description, other plugins in env entries. They are text here, as ansible-test reads doc
    # fragments without importing them; tests/unit/plugins/test_connection_options.py holds both to the table.
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Altostrat SDX API.
      - If not set, the value of the E(SDX_API_URL) environment variable is used.
    type: str
    default: https://v1.api.altostrat.io
  api_token:
    description:
      - "SDX API token, sent as C(Authorization: Bearer <token>). An organisation API key (C(alto_sk_...)) or a JWT."
      - If not set, the value of the E(SDX_API_TOKEN) environment variable is used.
      - Required one way or the other; when neither is set, the error says so before any request.
      - Surrounding whitespace, such as the line break a vaulted value often ends with, is stripped. A token with
        a space, a line break or another character that is not printable ASCII inside is refused before any
        request, and never shown.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_url).
      - Only turn this off for a test endpoint you control; it exposes the token to interception.
      - If not set, the value of the E(SDX_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates to trust for O(api_url), for an API behind an internal CA or proxy.
      - The E(REQUESTS_CA_BUNDLE) environment variable works as well.
    type: path
  timeout:
    description:
      - Seconds to wait for the API to connect and to answer, per request. A finite number above 0.
      - Reads that time out, fail to connect, or get HTTP 429, 502, 503 or 504 are retried with exponential
        backoff and jitter, honouring C(Retry-After), for at most 5 attempts and 120 seconds.
    type: float
    default: 30
  rate_limit:
    description:
      - Requests per minute this machine may send to O(api_url) with this O(api_token), shared by every task,
        fork and process using the same pair (SDX allows 60 per minute per API key). Requests beyond it wait
        for the minute to free up; polls of a running job give way to other requests.
      - V(0) turns the budget off. HTTP 429 answers are still retried, honouring C(Retry-After).
      - If not set, the value of the E(SDX_RATE_LIMIT) environment variable is used.
    type: int
    default: 60
notes:
  - The module runs inside its action plugin, in the worker process Ansible forks for the task, when the task would otherwise start
    the controller's own Python on the controller, which saves starting a Python for every task. That is a
    local connection whose C(ansible_python_interpreter) is C(ansible_playbook_python), as the
    P(altostrat.sdx.sites#inventory) inventory sets it and as the implicit C(localhost) has it, with no
    C(become), C(async) or task C(environment). Any other task runs the module as a module process. Both give
    the same result; at C(-vvv) the task says which way it ran.
  - To run every task as a module process, set C(module_process = true) in the C([altostrat.sdx]) section of
    C(ansible.cfg), or the E(ANSIBLE_SDX_MODULE_PROCESS) environment variable to V(true) (it takes precedence).
requirements:
  - requests
  - pydantic >= 2
"""

    PLUGINS = r"""
options:
  api_url:
    description:
      - Base URL of the Altostrat SDX API.
    type: str
    default: https://v1.api.altostrat.io
    env:
      - name: SDX_API_URL
  api_token:
    description:
      - "SDX API token, sent as C(Authorization: Bearer <token>). An organisation API key (C(alto_sk_...)) or a JWT."
      - Required one way or the other; when neither is set, the error says so before any request.
      - Surrounding whitespace, such as the line break a vaulted value often ends with, is stripped. A token with
        a space, a line break or another character that is not printable ASCII inside is refused before any
        request, and never shown.
    type: str
    env:
      - name: SDX_API_TOKEN
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_url).
      - Only turn this off for a test endpoint you control; it exposes the token to interception.
    type: bool
    default: true
    env:
      - name: SDX_VALIDATE_CERTS
  ca_path:
    description:
      - PEM file of the CA certificates to trust for O(api_url), for an API behind an internal CA or proxy.
      - The E(REQUESTS_CA_BUNDLE) environment variable works as well.
    type: path
  timeout:
    description:
      - Seconds to wait for the API to connect and to answer, per request. A finite number above 0.
      - Reads that time out, fail to connect, or get HTTP 429, 502, 503 or 504 are retried with exponential
        backoff and jitter, honouring C(Retry-After), for at most 5 attempts and 120 seconds.
    type: float
    default: 30
  rate_limit:
    description:
      - Requests per minute this machine may send to O(api_url) with this O(api_token), shared by every task,
        fork and process using the same pair (SDX allows 60 per minute per API key). Requests beyond it wait
        for the minute to free up; polls of a running job give way to other requests.
      - V(0) turns the budget off. HTTP 429 answers are still retried, honouring C(Retry-After).
    type: int
    default: 60
    env:
      - name: SDX_RATE_LIMIT
requirements:
  - requests
  - pydantic >= 2
"""

    SITE = r"""
options:
  site_id:
    description:
      - UUID of the SDX site (router).
      - When the task does not set it, the host variable C(sdx_site_id) is used, which the
        P(altostrat.sdx.sites#inventory) inventory sets on every host, whatever its C(hostvars_prefix); so over
        that inventory C(ansible -i fleet.sdx.yml sdx_online -m <module> -a "...") needs no site id.
    type: str
    required: true
"""

    # The options of a module that queues a job and can wait for it (module_utils/_jobs.py JOB_OPTIONS).
    JOB = r"""
options:
  wait_timeout:
    description: Seconds to wait for the job when O(wait=true).
    type: float
    default: 300
  poll_interval:
    description: Seconds between two reads of the job while waiting.
    type: float
    default: 5
  settle_timeout:
    description:
      - Seconds to keep reading the site's jobs after a queue request whose outcome is unknown, to adopt the
        job it created instead of sending the request again.
      - It must outlast a request still in flight at SDX; a shorter value makes a re-run after an unknown outcome
        risk a second job. Why 60 is the default is in
        R(the reliability guide,ansible_collections.altostrat.sdx.docsite.reliability).
    type: float
    default: 60
"""

    # Confirmed apply (module_utils/_confirm.py CONFIRM_OPTIONS).
    CONFIRM = r"""
options:
  confirm_timeout:
    description:
      - Apply the change with an automatic revert. The job first arms a one-shot C(/system scheduler) entry
        (C(sdx-confirm-<hash>)) that runs the revert after this long, then applies the change.
      - After the job, the task proves that SDX still reaches the router (a synchronous command, and a check-in
        after the job), queues one confirm job that removes the entry, and reads that it is gone. Only then is
        RV(outcome) V(confirmed).
      - If contact is lost, the revert runs on the router; the task fails with RV(outcome=reverted) and
        C(changed=true). When it cannot tell, it fails with RV(outcome=unknown).
      - A duration from V(1m) to V(24h), such as V(90s), V(5m), V(1h30m). Off by default. Choose it against the
        check-in interval as R(the safe apply guide,ansible_collections.altostrat.sdx.docsite.safe_apply) explains.
    type: str
"""

    ACTIONGROUP_SDX = r"""
attributes:
  action_group:
    description: Use C(group/altostrat.sdx.sdx) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - altostrat.sdx.sdx
"""
