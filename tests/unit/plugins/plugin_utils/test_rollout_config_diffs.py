"""The rollout report's config_diffs: which sites are grouped, in what order, and the table's summary."""

from __future__ import annotations

from ansible_collections.altostrat.sdx.plugins.filter.rollout import FilterModule
from ansible_collections.altostrat.sdx.plugins.module_utils._backups import unified_diff
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout, _rollout_text

ADDED = "add address=192.168.99.1/24 interface=bridge"


def diff(before: str, after: str, first: int, context: str) -> str:
    """A diff adding ADDED under ``context``, at line ``first`` of a site's export."""
    return (f"--- {before}.rsc\n+++ {after}.rsc\n@@ -{first},2 +{first},3 @@\n /ip address\n {context}\n"
            f"+{ADDED}\n")


def hostvars(**sites):
    return {name: {"script_rollout_result": {"site": name, **fields}} for name, fields in sites.items()}


FLEET = hostvars(
    b03={"status": "completed", "config_diff": diff("3", "4", 9, "add address=10.3.0.1/24 interface=ether3")},
    b01={"status": "completed", "config_diff": diff("1", "2", 8, "add address=10.1.0.1/24 interface=ether1")},
    b02={"status": "completed", "config_diff": ""},
    b04={"status": "failed", "config_diff": diff("5", "6", 8, "x"), "message": "config_diff could not be read"},
    b05={"status": "unchanged"},
    b06={"status": "completed"},  # its job completed, but no diff was read
    b07={"status": "skipped_offline"},
)


def test_sites_that_changed_the_same_way_share_a_group_whatever_the_context():
    report = _rollout.build_report(FLEET, list(FLEET), "Guest", config_diff=True)
    assert report["config_diff"] is True
    assert report["config_diffs"] == [
        {"diff": FLEET["b01"]["script_rollout_result"]["config_diff"], "sites": ["b01", "b03"]},
        {"diff": "", "sites": ["b02"]},
    ]
    # the groups change nothing else in the report
    assert report["counts"]["completed"] == 4 and report["total"] == 7


def test_without_the_option_and_without_diffs_there_are_no_groups_and_no_summary():
    plain = hostvars(b01={"status": "completed"}, b02={"status": "unchanged"})
    report = _rollout.build_report(plain, list(plain), "Guest")
    assert (report["config_diff"], report["config_diffs"]) == (False, [])
    assert not any(line.startswith("config diff") for line in _rollout_text.table(report))


def test_a_recorded_diff_turns_the_grouping_on_without_the_option():
    report = _rollout.build_report(FLEET, ["b02"], "Guest")
    assert report["config_diff"] is True and report["config_diffs"] == [{"diff": "", "sites": ["b02"]}]


def test_the_table_says_how_many_changed_the_same_way_and_shows_each_groups_lines():
    report = _rollout.build_report(FLEET, list(FLEET), "Guest", config_diff=True)
    lines = _rollout_text.table(report)
    summary = lines[lines.index("7 site(s): 4 completed, 1 unchanged, 1 skipped_offline, 1 failed") + 1:]
    assert summary == [
        "config diff: 2 site(s) changed the same way, 1 differs (1 other group(s)); the diffs are in the JSON "
        "report's config_diffs",
        "  group 1, 2 site(s), 1 line(s) added, 0 removed: b01, b03",
        f"    +{ADDED}",
        "  group 2, 1 site(s), no change: b02",
    ]


def test_one_group_many_sites_and_many_lines_are_cut_short():
    big = "--- a\n+++ b\n@@ -1,12 +1,1 @@\n" + "".join(f"-old {n}\n" for n in range(12)) + "+new\n"
    many = hostvars(**{f"b{n:02}": {"status": "completed", "config_diff": big} for n in range(1, 8)})
    lines = _rollout_text.table(_rollout.build_report(many, list(many), "Guest", config_diff=True))
    start = lines.index("config diff: all 7 completed site(s) changed the same way")
    assert lines[start + 1] == "  group 1, 7 site(s), 1 line(s) added, 12 removed: b01, b02, b03, b04, b05 and 2 more"
    assert lines[start + 2:start + 12] == [f"    -old {n}" for n in range(10)]
    assert lines[start + 12:] == ["    ... 3 more line(s)"]


def test_check_mode_and_a_rollout_where_no_job_completed_say_why_there_is_nothing():
    nothing = hostvars(b01={"status": "queued"}, b02={"status": "failed"})
    checked = _rollout_text.table(_rollout.build_report(nothing, list(nothing), "Guest", True, True))
    assert checked[-1] == "config diff: not predicted in check mode (it is the router's change after a job ran)"
    ran = _rollout_text.table(_rollout.build_report(nothing, list(nothing), "Guest", False, True))
    assert ran[-1] == "config diff: no job completed in this run, so there is no change to compare"


def test_the_filter_passes_the_option_on():
    report = FilterModule().filters()["rollout_report"](FLEET, ["b05"], "Guest", False, True)
    assert (report["config_diff"], report["config_diffs"]) == (True, [])


def diff_for(identity, added, context_lines=0):
    before = "/ip address\n" + "".join(
        f"add address=10.0.{n}.1/24\n" for n in range(context_lines)) + f"/system identity\nset name={identity}\n"
    after = before.replace("/system identity", "".join(f"add {line}\n" for line in added) + "/system identity")
    return unified_diff(before, after, f"{identity}-before", f"{identity}-after")


def test_sites_group_by_the_same_change_whatever_the_context():
    same = ["address=192.168.99.1/24 interface=bridge"]
    sites = [
        {"site": "c", "status": "completed", "diff": diff_for("c", same, 5)},
        {"site": "a", "status": "completed", "diff": diff_for("a", same, 0)},
        {"site": "b", "status": "completed", "diff": diff_for("b", same, 2)},
        {"site": "d", "status": "completed", "diff": diff_for("d", ["address=10.9.9.9/24 interface=ether9"])},
        {"site": "e", "status": "completed", "diff": ""},
        {"site": "f", "status": "completed", "diff": ""},
        {"site": "g", "status": "failed", "diff": diff_for("g", same)},
        {"site": "h", "status": "skipped_offline", "diff": None},
        {"site": "i", "status": "completed", "diff": None},
    ]
    groups = _rollout.group_changes(sites)
    assert [group["sites"] for group in groups] == [["a", "b", "c"], ["e", "f"], ["d"]]
    assert groups[0]["diff"] == sites[1]["diff"]
    assert groups[1]["diff"] == ""
    assert "+add address=10.9.9.9/24 interface=ether9" in groups[2]["diff"]
    assert sites[0]["diff"] != sites[1]["diff"]  # the context differs, the change does not


def test_the_change_key_ignores_order_and_headers():
    diff = "--- a\n+++ b\n@@ -1,2 +1,3 @@\n x\n+two\n+one\n-gone\n"
    assert _rollout.change_key(diff) == (("gone",), ("one", "two"))
    assert _rollout.change_key("") == ((), ())
