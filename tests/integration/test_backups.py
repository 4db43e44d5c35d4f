"""sdx_backup and sdx_backup_info through ansible-playbook against the simulator."""

from __future__ import annotations

import json
import re

from tests.integration.harness import TOKEN

BACKUP = "altostrat.sdx.sdx_backup"
INFO = "altostrat.sdx.sdx_backup_info"
FAST = {"poll_interval": 0.05, "wait_timeout": 30}
# Values of secret attributes as the simulator's exports write them (checked against its raw content).
SECRET = re.compile(r'(?<![^\s])(?:password|secret|passphrase|[a-z0-9-]+-pre-shared-key|private-key|'
                    r'authentication-password|encryption-password|ipsec-secret)=("[^"]*"|\S+)')


def listed(sim, site):
    return sim.call("GET", f"/backup/{site}", token=True)


def raw(sim, site, filename):
    return sim.call("GET", f"/backup/{site}/{filename}", token=True)["content"]


def secrets_in(content):
    """Every secret value of an export (wrapped lines joined), quotes stripped, and its last six characters."""
    joined = re.sub(r"\\\n {4}", "", content)
    values = [value.strip('"') for value in SECRET.findall(joined)]
    assert len(values) >= 8, joined  # the seeded export carries at least this many
    return values + [value[-6:] for value in values]


def test_a_backup_is_requested_and_found_and_max_age_makes_a_rerun_ok(ansible, sim, site):
    before = {item["filename"] for item in listed(sim, site)}
    predicted = ansible.task({"site_id": site, "max_age": 3600}, "--check", module=BACKUP)
    assert predicted.status == "changed" and predicted.result["backup"] is None
    assert sim.log("POST") == []

    taken = ansible.task({"site_id": site, "max_age": 3600, **FAST}, module=BACKUP)
    assert taken.status == "changed", taken.output
    backup = taken.result["backup"]
    assert backup["filename"] not in before
    assert backup in listed(sim, site)
    assert len(sim.log("POST", f"/backup/{site}")) == 1

    again = ansible.task({"site_id": site, "max_age": 3600, **FAST}, module=BACKUP)
    assert again.status == "ok" and again.result["requested"] is False
    assert again.result["backup"] == backup
    predicted_again = ansible.task({"site_id": site, "max_age": 3600}, "--check", module=BACKUP)
    assert predicted_again.status == "ok"
    assert len(sim.log("POST", f"/backup/{site}")) == 1


def test_an_offline_site_fails_cleanly_at_wait_timeout(ansible, sim, offline_site):
    run = ansible.task({"site_id": offline_site, "wait_timeout": 1, "poll_interval": 0.2}, module=BACKUP)
    assert run.rc != 0 and run.status == "failed"
    assert run.result["msg"] == (f"no new backup of site {offline_site} was listed within 1 seconds: the site is "
                                 f"offline, and an offline router takes no backup")
    assert len(sim.log("POST", f"/backup/{offline_site}")) == 1
    assert len(listed(sim, offline_site)) == 2


def test_listing_and_content_match_the_simulator(ansible, sim, site):
    info = ansible.task({"site_id": site}, module=INFO)
    assert info.status == "ok"
    assert info.result["backups"] == listed(sim, site)
    oldest = info.result["backups"][-1]["filename"]
    one = ansible.task({"site_id": site, "filename": oldest, "reveal_secrets": True}, module=INFO)
    assert one.result["backup"]["content"] == raw(sim, site, oldest)
    assert {key: value for key, value in one.result["backup"].items() if key != "content"} == \
        info.result["backups"][-1]
    latest = ansible.task({"site_id": site, "latest": True}, "--check", module=INFO)
    assert latest.status == "ok" and latest.result["backup"]["filename"] == info.result["backups"][0]["filename"]


def test_the_diff_between_two_backups_shows_exactly_the_added_lines(ansible, sim, site):
    script = ("/ip address add address=192.168.99.1/24 interface=bridge\n"
              "/ip firewall address-list add address=10.0.0.0/8 list=mgmt\n"
              '/ip address set [find where address="192.168.88.1/24"] comment=defconf network=192.168.88.0')
    job = ansible.task({"site_id": site, "description": "Guest network", "script": script, "make_backup": True,
                        "needs_acknowledgement": True, "wait": True, "poll_interval": 0.05})
    assert job.status == "changed", job.output
    assert ansible.task({"site_id": site, **FAST}, module=BACKUP).status == "changed"
    run = ansible.task({"site_id": site, "latest": True, "compare_to": "previous"}, module=INFO)
    assert run.status == "ok", run.output
    pre_change = job.result["job"]["associated_backup"].rsplit("/", 1)[-1]
    assert run.result["compared_to"]["filename"] == pre_change
    diff = run.result["config_diff"].splitlines()
    assert diff[:2] == [f"--- {pre_change}", f"+++ {run.result['backup']['filename']}"]
    assert [line for line in diff[2:] if line[:1] in "+-"] == [
        "+add address=192.168.99.1/24 interface=bridge",
        "+/ip firewall address-list",
        "+add address=10.0.0.0/8 list=mgmt",
    ]
    same = ansible.task({"site_id": site, "latest": True, "compare_to": run.result["backup"]["filename"]},
                        module=INFO)
    assert same.result["config_diff"] == ""


def test_secrets_are_masked_in_content_diff_and_vvv_output(ansible, sim, site):
    new_secret = "Sup3r-n3w-PPP-s3cret"
    job = ansible.task({"site_id": site, "description": "VPN user", "make_backup": True, "wait": True,
                        "script": f"/ppp secret add name=vpn-user2 password={new_secret} service=l2tp",
                        "needs_acknowledgement": True, "poll_interval": 0.05})
    assert job.status == "changed", job.output
    assert ansible.task({"site_id": site, **FAST}, module=BACKUP).status == "changed"
    latest = listed(sim, site)[0]["filename"]
    hidden = secrets_in(raw(sim, site, latest)) + [new_secret]
    assert new_secret in raw(sim, site, latest)

    run = ansible.task({"site_id": site, "latest": True, "compare_to": "previous"}, "-vvv", module=INFO)
    assert run.status == "ok", run.output
    assert "+add name=vpn-user2 password=******** service=l2tp" in run.result["config_diff"].splitlines()
    assert 'passphrase="********"' in run.result["backup"]["content"]
    assert run.result["backup"]["content"].count("********") >= 8
    assert "password=********" in run.output  # the result is in the output, masked
    for value in hidden:
        assert value not in run.output, value
        assert value not in json.dumps(run.records), value


def test_revealed_secrets_stay_out_of_vvv_output_under_no_log(ansible, sim, site, tmp_path):
    latest = listed(sim, site)[0]["filename"]
    content = raw(sim, site, latest)
    target = tmp_path / "export.rsc"
    tasks = [
        {"name": "read", INFO: {"site_id": site, "filename": latest, "reveal_secrets": True},
         "register": "revealed", "no_log": True},
        {"name": "keep", "ansible.builtin.copy": {"content": "{{ revealed.backup.content }}", "dest": str(target)},
         "no_log": True},
    ]
    playbook = tmp_path / "reveal.yml"
    playbook.write_text(json.dumps([{"name": "reveal", "hosts": "localhost", "gather_facts": False,
                                     "tasks": tasks}]))
    run = ansible.playbook(playbook, "-vvv")
    assert run.rc == 0, run.output
    assert target.read_text() == content
    assert "censored" in run.output
    for value in secrets_in(content):
        assert value not in run.output, value
    assert TOKEN not in run.output
