"""RouterOS script text: commands, words, quoting and escapes (RouterOS scripting manual, "Syntax").

A script is split into commands at newlines and ``;`` outside quotes, ``[...]`` and ``{...}``; a backslash at a
line's end joins the next line. A command is split into words at spaces outside the same. A quoted string is a
literal: ``\\"``, ``\\\\``, ``\\$``, ``\\?``, ``\\_`` (space), ``\\n``, ``\\r``, ``\\t``, ``\\a``, ``\\b``,
``\\f``, ``\\v`` and ``\\XX`` (a byte in hex; bytes decode as UTF-8) are its escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "$": "$", "?": "?", "_": " ", "n": "\n", "r": "\r", "t": "\t",
                  "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
HEX = "0123456789ABCDEFabcdef"
# Values export and print may leave unquoted; anything else is quoted.
_BARE = re.compile(r"^[A-Za-z0-9_.:/,@*+!#%&^~|<>()'-]+$")
_CONTINUATION = re.compile(r"\\\r?\n[ \t]*")


class ScriptError(Exception):
    """A script line RouterOS would refuse: the script stops here (``line`` counts from 1)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"{self.message} (line {self.line})" if self.line else self.message


@dataclass
class Command:
    text: str
    line: int


def _closing(char: str) -> str | None:
    return {"[": "]", "{": "}"}.get(char)


def split_commands(script: str) -> list[Command]:
    """The script's commands in order, with the line each starts on; comment lines are dropped."""
    commands: list[Command] = []
    current: list[str] = []
    stack: list[str] = []
    quoted = False
    line, start = 1, 1
    index = 0
    text = script
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\" and index + 1 < len(text):
                current.append(text[index:index + 2])
                line += text[index + 1] == "\n"
                index += 2
                continue
            quoted = char != '"'
        elif char == "\\" and _CONTINUATION.match(text, index):
            match = _CONTINUATION.match(text, index)
            line += 1
            index = match.end()
            current.append(" ")
            continue
        elif char == '"':
            quoted = True
        elif _closing(char):
            stack.append(_closing(char))
        elif stack and char == stack[-1]:
            stack.pop()
        elif char in "\n;" and not stack:
            _finish(commands, current, start)
            current = []
            line += char == "\n"
            start = line
            index += 1
            continue
        if char == "\n":
            line += 1
        current.append(char)
        index += 1
    if quoted:
        raise ScriptError("unmatched quote", start)
    _finish(commands, current, start)
    return commands


def _finish(commands: list[Command], current: list[str], line: int) -> None:
    text = "".join(current).strip()
    if text and not text.startswith("#"):
        commands.append(Command(text, line))


def split_words(text: str) -> list[str]:
    """A command's words: split at blanks outside quotes, ``[...]`` and ``{...}``; quotes are kept."""
    words: list[str] = []
    current: list[str] = []
    stack: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\" and index + 1 < len(text):
                current.append(text[index:index + 2])
                index += 2
                continue
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif _closing(char):
            stack.append(_closing(char))
        elif stack and char == stack[-1]:
            stack.pop()
        elif char in " \t\r\n" and not stack:
            if current:
                words.append("".join(current))
                current = []
            index += 1
            continue
        current.append(char)
        index += 1
    if quoted or stack:
        raise ScriptError("unmatched quote or bracket")
    if current:
        words.append("".join(current))
    return words


def unquote(word: str) -> str:
    """A word's value: a quoted string with its escapes decoded, or the bare word as written.

    A bare ``$name`` is a variable, which this model does not keep: it is refused rather than taken literally.
    """
    if word.startswith('"'):
        if len(word) < 2 or not word.endswith('"'):
            raise ScriptError(f"unmatched quote in {word}")
        return decode_escapes(word[1:-1])
    if "$" in word:
        raise ScriptError(f"variables are not modelled by the simulator: {word}")
    return word


def decode_escapes(body: str) -> str:
    """The text of a quoted string's inside, escapes decoded (``\\XX`` bytes as UTF-8)."""
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out += char.encode()
            index += 1
            continue
        nxt = body[index + 1:index + 2]
        if nxt in SIMPLE_ESCAPES:
            out += SIMPLE_ESCAPES[nxt].encode()
            index += 2
        elif len(nxt) == 1 and nxt in HEX and body[index + 2:index + 3] and body[index + 2] in HEX:
            out.append(int(body[index + 1:index + 3], 16))
            index += 3
        else:
            raise ScriptError(f"invalid escape sequence \\{nxt} in a quoted string")
    try:
        return out.decode()
    except UnicodeDecodeError as error:
        raise ScriptError("a quoted string's \\XX bytes are not UTF-8") from error


def quote(value: str) -> str:
    """``value`` as export writes it: bare when it is plain, else quoted with RouterOS escapes."""
    if _BARE.match(value):
        return value
    out = []
    for char in value:
        if char in '"\\$?':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):02X}")
        elif ord(char) > 0x7E:
            out.append("".join(f"\\{byte:02X}" for byte in char.encode()))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def split_assignment(word: str) -> tuple[str, str] | None:
    """``name=value`` as (name, raw value); None for a word that is not an assignment."""
    match = re.match(r"^(!?[a-z.][a-z0-9.-]*)=(.*)$", word, re.S)
    if match is None:
        return None
    return match[1], match[2]
