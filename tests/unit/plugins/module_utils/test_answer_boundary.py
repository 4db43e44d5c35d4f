"""The answer boundary call by call: strict decoding, pagination loops, identifiers in paths, the budget file."""

from __future__ import annotations

import json
import os

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils import _budget
from ansible_collections.altostrat.sdx.plugins.module_utils._budget import BudgetStateError, RateBudget, state_dir
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import (
    MAX_DEPTH, SDXError, UnreadableAnswer, decode_json)
from ansible_collections.altostrat.sdx.plugins.module_utils._models import path_segment
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from tests.unit.compat import FakeClock

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"


# -- decoding ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, value", [
    (b'{"a": [1, {"b": null}]}', {"a": [1, {"b": None}]}),
    ('{"a": "é"}'.encode("utf-16"), {"a": "é"}),
    ('["x"]'.encode("utf-32-be"), ["x"]),
    (b"\xef\xbb\xbf[1]", [1]),
])
def test_json_in_its_encodings_and_up_to_the_depth_limit_is_read(body, value):
    assert decode_json(body) == value


def test_the_deepest_answer_read_nests_max_depth_levels():
    value = decode_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    for _level in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == []


@pytest.mark.parametrize("body, why", [
    (b"[" * 1000 + b"]" * 1000, "nests deeper than 32 levels"),
    (b"[" * 100000 + b"]" * 100000, "nests deeper than 32 levels"),
    (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nests deeper than 32 levels"),
    (b'{"k": "\xff\xfe"}', "is not valid UTF-8 text (byte 7)"),
    (b"[NaN]", "is not JSON (NaN is not a JSON number)"),
    (b'{"a": Infinity}', "is not JSON (Infinity is not a JSON number)"),
    (b"1" * 5000, "is not JSON"),
])
def test_anything_else_is_an_unreadable_answer_saying_why(body, why):
    with pytest.raises(UnreadableAnswer, match="^" + why.replace("(", r"\(").replace(")", r"\)")):
        decode_json(body)


@responses.activate
def test_a_nested_answer_is_an_sdx_error_naming_the_endpoint():
    responses.get(f"{API}/sites", body=b"[" * 1000 + b"]" * 1000)
    with pytest.raises(SDXError, match=rf"^SDX API answered GET {API}/sites with HTTP 200 but the body nests "
                                       r"deeper than 32 levels; it starts '\[\[\["):
        SDXClient(API, "alto_sk_boundary_token").get("sites")


# -- pagination ----------------------------------------------------------------------------------------------------

@responses.activate
def test_a_page_pointing_back_at_an_earlier_page_is_named_as_a_loop_before_it_is_read_again():
    responses.get(f"{API}/c", json={"data": [1], "next_page_url": f"{API}/c?page=2"})
    responses.get(f"{API}/c?page=2", json={"data": [2], "links": {"next": "/c"}})
    with pytest.raises(SDXError, match=rf"pagination of GET {API}/c loops: page 2 \({API}/c\?page=2\) names "
                                       rf"{API}/c as its next page, which was already read as page 1"):
        SDXClient(API, "alto_sk_boundary_token").get_list("c")
    assert len(responses.calls) == 2


@responses.activate
def test_a_page_on_another_path_is_refused():
    responses.get(f"{API}/c", json={"data": [1], "next_page_url": f"{API}/api/asynchronous/x"})
    with pytest.raises(SDXError, match="pointed at another path"):
        SDXClient(API, "alto_sk_boundary_token").get_list("c")
    assert len(responses.calls) == 1


# -- identifiers in paths ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, value", [("backup", "../../sites"), ("backup", ".."), ("backup", "."),
                                         ("backup", "a/b.rsc"), ("backup", "x%2f.rsc"), ("backup", ""),
                                         ("job", "../x"), ("job", "a.b"), ("job", 7), ("site", "a b"),
                                         ("site", "\u00e9"), ("job", None)])
def test_an_identifier_that_could_leave_its_path_segment_is_refused(kind, value):
    with pytest.raises(SDXError, match=f"^the {kind} identifier .* is not .*; it was not put into a request path"):
        path_segment(kind, value)


def test_identifiers_of_the_documented_forms_pass_unchanged():
    assert path_segment("backup", "1732567800.rsc") == "1732567800.rsc"
    assert path_segment("job", "0eb76fdc-b556-4ca3-91ac-0b8a5b606053") == "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
    assert path_segment("site", "site_2m3h5n7k9j8g7f6e5d4c3b2a1") == "site_2m3h5n7k9j8g7f6e5d4c3b2a1"


@responses.activate
def test_a_listed_backup_that_climbs_out_sends_no_request():
    client = SDXClient(API, "alto_sk_boundary_token")
    with pytest.raises(SDXError, match="backup identifier '../../sites'"):
        SiteAPI(client, SITE).backup("../../sites")
    assert len(responses.calls) == 0


# -- the budget file -----------------------------------------------------------------------------------------------

def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(_budget.tempfile, "tempdir", None)
    return tmp_path / f"altostrat-sdx-{os.getuid()}"


def test_the_state_folder_is_made_private(tmp_path, monkeypatch):
    folder = private_tmp(tmp_path, monkeypatch)
    os.umask(old := os.umask(0))  # the folder is 0700 whatever the umask
    try:
        assert state_dir() == folder
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o750, 0o701])
def test_a_state_folder_open_to_others_is_refused_naming_it(tmp_path, monkeypatch, mode):
    folder = private_tmp(tmp_path, monkeypatch)
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(BudgetStateError, match=rf"^rate budget: {folder} is open to group or others \(mode "
                                               rf"{mode:04o}, expected 0700\)"):
        state_dir()


def test_a_state_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    folder = private_tmp(tmp_path, monkeypatch)
    folder.mkdir(mode=0o700)
    me = os.getuid()
    monkeypatch.setattr(_budget.os, "getuid", lambda: me + 1)
    folder.rename(tmp_path / f"altostrat-sdx-{me + 1}")
    with pytest.raises(BudgetStateError, match=rf"is owned by user id {me}, not by this user \({me + 1}\)"):
        state_dir()


def test_a_state_folder_that_is_a_link_is_refused(tmp_path, monkeypatch):
    folder = private_tmp(tmp_path, monkeypatch)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    folder.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BudgetStateError, match="is a symbolic link"):
        state_dir()


def budget(tmp_path, fake):
    return RateBudget(API, "alto_sk_boundary_token", 3, directory=tmp_path, clock=fake.clock, sleep=fake.sleep)


def test_a_state_file_replaced_by_a_link_is_never_followed(tmp_path):
    fake = FakeClock(1000.0)
    limited = budget(tmp_path, fake)
    target = tmp_path / "precious"
    target.write_text("keep")
    limited.path.symlink_to(target)
    with pytest.raises(BudgetStateError, match="is a symbolic link"):
        limited.acquire()
    assert target.read_text() == "keep"


def test_a_state_file_open_to_others_is_refused(tmp_path):
    limited = budget(tmp_path, FakeClock(1000.0))
    limited.path.write_text("{}")
    limited.path.chmod(0o666)
    with pytest.raises(BudgetStateError, match=r"is open to group or others \(mode 0666, expected 0600\)"):
        limited.acquire()


@pytest.mark.parametrize("content", [
    b'{"closed_until": 1e300}', b'{"closed_until": NaN}', b'{"closed_until": true}', b"[1]", b"\xff{",
    b'{"stamps": [{"taken": 1000, "until": 9e9}]}', b'{"stamps": [{"taken": 9e9}]}', b'{"stamps": [7]}',
    b'{"waiters": {"1": 9e9}}', b'{"waiters": [1]}', b"[" * 5000 + b"]" * 5000,
])
def test_an_impossible_state_counts_as_empty_with_one_warning_and_no_wait(tmp_path, content):
    fake = FakeClock(1000.0)
    limited = budget(tmp_path, fake)
    limited.path.touch(mode=0o600)
    limited.path.write_bytes(content)
    told = []
    limited.warn = told.append
    assert limited.acquire() == 0.0
    limited.release()
    assert limited.acquire() == 0.0
    assert len(told) == 1 and len(limited.warnings) == 1
    assert told[0].startswith(f"rate budget: the state in {limited.path} could not be used (")
    assert isinstance(json.loads(limited.path.read_text()), dict)


def test_a_closed_budget_within_the_window_is_still_waited(tmp_path):
    fake = FakeClock(1000.0)
    limited = budget(tmp_path, fake)
    limited.path.touch(mode=0o600)
    limited.path.write_text(json.dumps({"closed_until": 1030.0}))
    assert limited.acquire() == pytest.approx(30.0)
    assert limited.warnings == []
