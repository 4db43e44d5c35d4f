"""sdx_async_script config_diff through ansible-playbook against the simulator: the lines, the diff, the secrets."""

from __future__ import annotations

import json
import re

from tests.integration.harness import TOKEN

DIFF = {"make_backup": True, "needs_acknowledgement": True, "wait": True, "config_diff": True,
        "poll_interval": 0.05, "config_diff_timeout": 60}
SECRET = re.compile(r'(?<![^\s])(?:password|secret|passphrase|[a-z0-9-]+-pre-shared-key|private-key|'
                    r'authentication-password|encryption-password|ipsec-secret)=("[^"]*"|\S+)')


def backup(sim, site, filename):
    return sim.call("GET", f"/backup/{site}/{filename}", token=True)


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines()[2:] if line[:1] in "+-"]


def test_config_diff_shows_exactly_the_added_lines_and_diff_mode_shows_it(ansible, sim, site):
    script = ("/ip address add address=192.168.99.1/24 interface=bridge\n"
              "/ip firewall address-list add address=10.0.0.0/8 list=mgmt\n"
              '/ip address set [find where address="192.168.88.1/24"] comment=defconf network=192.168.88.0\n'
              "/system identity print")
    run = ansible.task({"site_id": site, "description": "Guest network", "script": script, **DIFF}, "--diff")
    assert run.status == "changed", run.output
    result = run.result
    # a set that changes nothing and a print add nothing
    assert changed_lines(result["config_diff"]) == [
        "+add address=192.168.99.1/24 interface=bridge",
        "+/ip firewall address-list",
        "+add address=10.0.0.0/8 list=mgmt",
    ]
    before, after = result["config_diff_backups"]["before"], result["config_diff_backups"]["after"]
    assert result["job"]["associated_backup"] == f"{site}/{before['filename']}"
    assert {key: value for key, value in backup(sim, site, after["filename"]).items() if key != "content"} == after
    assert result["config_diff"].splitlines()[:2] == [f"--- {before['filename']}", f"+++ {after['filename']}"]
    # --diff shows the router's change, not the queued script
    assert "+add address=10.0.0.0/8 list=mgmt" in run.output
    assert "queued script" not in run.output and "+/system identity print" not in run.output
    assert len(sim.log("POST", f"/backup/{site}")) == 1


def test_secrets_are_masked_in_config_diff_and_vvv_output(ansible, sim, site):
    new_secret = "Sup3r-n3w-PPP-s3cret"
    script = f"/ppp secret add name=vpn-user2 password={new_secret} service=l2tp"
    run = ansible.task({"site_id": site, "description": "VPN user", "script": script, **DIFF}, "-vvv", "--diff")
    assert run.status == "changed", run.output
    diff = run.result["config_diff"].splitlines()
    assert changed_lines(run.result["config_diff"]) == ["+add name=vpn-user2 password=******** service=l2tp"]
    # the line before it, an existing PPP secret, is masked too
    assert any(re.fullmatch(r" add name=vpn-user1 password=\*{8} profile=default-encryption service=l2tp", line)
               for line in diff), diff
    after = backup(sim, site, run.result["config_diff_backups"]["after"]["filename"])["content"]
    assert new_secret in after
    joined = re.sub(r"\\\n {4}", "", after)
    seeded = [value.strip('"') for value in SECRET.findall(joined) if new_secret not in value]
    assert len(seeded) >= 8
    for value in seeded:
        assert value not in run.output, value
        assert value not in json.dumps(run.records), value
    # The new secret shows only where Ansible echoes the task's own arguments, as older ansible-core lines do
    # at -vvv (the docs say to use no_log for such scripts); never in the result or the diff.
    assert run.output.count(new_secret) == run.output.count(json.dumps(script))
    assert new_secret not in json.dumps({key: value for key, value in run.result.items() if key != "invocation"})
    assert "+add name=vpn-user2 password=******** service=l2tp" in run.output
    assert TOKEN not in run.output


def test_an_existing_job_is_ok_with_no_diff_and_no_backup_request(ansible, sim, site):
    args = {"site_id": site, "description": "Guest network", "script": "/ip address add address=10.9.9.1/24 "
            "interface=bridge", **DIFF}
    assert ansible.task(args).status == "changed"
    posts = len(sim.log("POST", f"/backup/{site}"))
    again = ansible.task(args, "--diff")
    assert again.status == "ok" and again.result["outcome"] == "existing"
    assert again.result["config_diff"] is None
    assert len(sim.log("POST", f"/backup/{site}")) == posts


def test_a_backup_that_never_comes_fails_at_config_diff_timeout_with_the_job_done(ansible, sim, site):
    # SDX accepts the backup request after the job but the router never exports (as when it went offline).
    args = {"site_id": site, "description": "Guest network", "script": "/ip address add address=10.8.8.1/24 "
            "interface=bridge", **DIFF, "config_diff_timeout": 1, "poll_interval": 0.2}
    sim.fault(action="status", status=202, method="POST", path=f"/backup/{site}")
    run = ansible.task(args)
    assert run.status == "failed" and run.result["changed"] is True, run.output
    assert run.result["job"]["status"] == "completed" and run.result["config_diff"] is None
    # the site is online, so the message does not say it is offline
    assert run.result["msg"].endswith("within 1 seconds (config_diff_timeout) of the request, although the site is "
                                      "online; raise config_diff_timeout if its backups take longer")
    assert len(sim.log("POST", f"/backup/{site}")) == 1 and len(sim.jobs(site)) == 1
