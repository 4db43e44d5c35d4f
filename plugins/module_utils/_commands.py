# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Synchronous RouterOS commands: their grammar and what counts as read-only (``SiteAPI.run_command`` runs one).

A command is a RouterOS API path, ``/word/word/...``, each word made of lower-case letters, digits and
``-``. The CLI form (``/ip address print``) is accepted and only its path words are translated, plus the
print flags of ``PRINT_FLAGS`` right after ``print`` and one ``where name=value`` condition after them, which
becomes the query word ``?name=value``. Anything
else (``;``, line breaks, quotes, ``name=value`` arguments, other ``where`` syntax) is refused, with a
message that shows how to pass it through ``parameters`` as API words. ``parameters`` go to the API
exactly as given: a string as a JSON string (the shape of the documentation of this very path), a list
of strings as a JSON array (the shape an older page documents).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._errors import SDXInputError

READ_VERBS = frozenset({"print", "get", "monitor", "export"})
WRITE_VERBS = frozenset({
    "add", "set", "unset", "remove", "edit", "comment", "move", "enable", "disable", "execute", "run",
    "reset", "reset-counters", "reset-counters-all", "reset-configuration", "reboot", "shutdown",
    "import", "load", "save", "restore", "upgrade", "downgrade", "install", "uninstall", "fetch",
    "make-static", "release", "renew", "renew-all", "flush", "clear", "send", "apply", "cancel",
    "start", "stop", "schedule", "unschedule", "check-for-updates", "force-update", "password",
})
# Arguments that make a read verb run a script (``monitor do=``, ``print do=``, ``:do ... on-error=``) or
# write a file (``print file=``, ``export file=``). Refused in any shape: ``=do=``, ``do=``, quoted, any case.
SCRIPT_OR_FILE_ARGUMENTS = frozenset({"do", "file", "on-error", "on-event", "script", "source"})
# Flags of the CLI's print that only lay its text out: the API answers every record's properties as values anyway,
# so they are dropped. ``count-only`` is kept: the module counts the records the print answered.
PRINT_FLAGS = frozenset({"detail", "terse", "count-only", "without-paging", "as-value"})
WRITE_ATTRIBUTES = tuple(f"={name}=" for name in sorted(SCRIPT_OR_FILE_ARGUMENTS))
_ARGUMENT_NAME = re.compile(r"[\s\"'`]*=?[\s\"'`]*(?P<name>[A-Za-z][A-Za-z0-9.-]*)\s*=")

Parameters = Union[str, list, None]
_PATH_WORD = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_WHERE_TERM = re.compile(r"(\.?[a-z0-9][a-z0-9.-]*)=([^\s\"'`;\\$\[\]{}()<>~!=]+)\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EXAMPLE = "/system/resource/print"


@dataclass(frozen=True)
class Command:
    """A parsed command: its API path, the query word a ``where`` condition became (if any), its print flags."""

    path: str
    query: Optional[str] = None
    flags: tuple[str, ...] = ()

    @property
    def count_only(self) -> bool:
        return "count-only" in self.flags

    @property
    def words(self) -> list[str]:
        return [word for word in self.path.split("/") if word]


def parse(command: Any) -> Command:
    """The API path (and query word) of ``command``; SDXInputError for anything else."""
    if not isinstance(command, str):
        raise SDXInputError(f"command: expected a RouterOS command path such as {_EXAMPLE}, "
                            f"got {type(command).__name__}")
    if _CONTROL.search(command):
        raise SDXInputError(f"command: expected one command on one line, got {command!r}; give each command "
                            f"a task of its own")
    text = command.strip()
    if not text.startswith("/"):
        raise SDXInputError(f"command: expected a RouterOS command path such as {_EXAMPLE}, got {command!r}")
    tokens = text.split()
    head, where = tokens, None
    if "where" in tokens:
        cut = tokens.index("where")
        head, where = tokens[:cut], tokens[cut + 1:]
    head, flags = _split_flags(head)
    words: list[str] = []
    for index, token in enumerate(head):
        if index and token.startswith("/"):
            raise _refuse(command, token, "only the first word of a command may start with /; give each "
                                          "command a task of its own")
        for word in token.split("/"):
            if word and not _PATH_WORD.match(word):
                raise _refuse(command, token, _hint(head, token))
            if word:
                words.append(word)
    if not words:
        raise SDXInputError(f"command: expected a RouterOS command path such as {_EXAMPLE}, got {command!r}")
    path = "/" + "/".join(words)
    if flags and words[-1] != "print":
        raise SDXInputError(f"command: {', '.join(flags)} {'is a flag' if len(flags) == 1 else 'are flags'} of "
                            f"print only, got {command!r}")
    if where is None:
        return Command(path, flags=flags)
    return Command(path, _query_word(command, path, words, where), flags)


def _split_flags(head: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The tokens of the path, and the print flags that end it (``print detail without-paging``).

    Only whole tokens of ``PRINT_FLAGS`` at the very end count; any other token after them stays in the path,
    where the path check refuses what is not a path word and the read-only check a verb that is not last.
    """
    cut = len(head)
    while cut > 1 and head[cut - 1] in PRINT_FLAGS:
        cut -= 1
    return head[:cut], tuple(dict.fromkeys(head[cut:]))


def _query_word(command: str, path: str, words: list[str], where: list[str]) -> str:
    if words[-1] != "print":
        raise SDXInputError(f"command: 'where' filters only print, got {command!r}")
    match = _WHERE_TERM.match(where[0]) if len(where) == 1 else None
    if match is None:
        raise SDXInputError(
            f"command: only one 'where name=value' condition is translated, got {command!r}; give "
            f"command: {path} and the query as API words in parameters, for example "
            f"parameters: {_query_example(where)}")
    return f"?{match.group(1)}={match.group(2)}"


def _query_example(where: list[str]) -> list[str]:
    terms = [term for term in where if "=" in term]
    return [f"?{term.strip(chr(34) + chr(39))}" for term in terms] or ["?name=value"]


def _hint(head: list[str], token: str) -> str:
    path = "/" + "/".join(word for part in head if part != token and "=" not in part and _plain(part)
                          for word in part.split("/") if word)
    if ";" in token:
        return "';' separates commands; give each command a task of its own"
    if "=" in token and _plain(token.split("=", 1)[0]):
        return (f"arguments are API words, not path words; give command: {path} and "
                f"parameters: '={token}' (a list of such words for several; add allow_write: true if it "
                f"changes the router)")
    return ("a command path holds only words of lower-case letters, digits and '-'; pass anything else as "
            "API words through parameters, such as '=name=value', or '?name=value' to filter a print")


def _plain(part: str) -> bool:
    return all(_PATH_WORD.match(word) for word in part.split("/") if word)


def _refuse(command: str, token: str, why: str) -> SDXInputError:
    return SDXInputError(f"command: {token!r} in {command!r} is not part of a RouterOS API path: {why}")


def check_parameters(parameters: Any) -> Parameters:
    """``parameters`` as the API will get them: a string, a list of strings, or None."""
    if parameters is None or isinstance(parameters, str):
        return parameters
    if isinstance(parameters, list) and all(isinstance(word, str) for word in parameters):
        return parameters
    raise SDXInputError("parameters: expected an API word such as '?type=ether' or a list of such words "
                        f"(strings), got {parameters!r}")


def wire_parameters(command: Command, parameters: Parameters) -> Parameters:
    """What ``parameters`` to send: the user's, as given, or the query word a ``where`` became."""
    if command.query is None:
        return parameters
    if parameters is not None:
        raise SDXInputError(f"command: give the query either as 'where' or in parameters, not both; for "
                            f"example command: {command.path} and parameters: ['{command.query}', ...]")
    return command.query


def is_read_only(command: Command, parameters: Parameters = None) -> bool:
    """The last word is a read verb, no word is a write verb, and no parameter runs a script or writes a file."""
    words = command.words
    words_given = [parameters] if isinstance(parameters, str) else list(parameters or [])
    return (bool(words) and words[-1] in READ_VERBS and not WRITE_VERBS.intersection(words)
            and not any(_names_script_or_file(word) for word in words_given))


def _names_script_or_file(word: str) -> bool:
    """Whether any space-separated part of an API word is a ``do``/``file``/... argument, in any shape."""
    for part in re.split(r"[\s;{}]+", word):
        match = _ARGUMENT_NAME.match(part)
        if match and match["name"].lower() in SCRIPT_OR_FILE_ARGUMENTS:
            return True
    return False


def writes(command: Command, parameters: Parameters, allow_write: bool) -> bool:
    """Whether the command may change the router; SDXInputError when it may and ``allow_write`` is off."""
    if is_read_only(command, parameters):
        return False
    if not allow_write:
        raise SDXInputError(
            f"command: {command.path!r} may change the router; only commands whose last word is "
            f"{', '.join(sorted(READ_VERBS))}, with no write verb ({', '.join(sorted(WRITE_VERBS)[:6])}, ...) "
            f"and no parameter naming a script or a file ({', '.join(WRITE_ATTRIBUTES)}), run unless "
            f"allow_write is true")
    return True
