# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The one exception type every SDX failure becomes, and the reading of an API error answer into it."""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Optional

ERROR_FIELDS = ("type", "code", "message", "doc_url")
# No SDX answer nests deeper than a few levels; a deeper one is refused rather than walked (each level costs
# a frame in every recursive reader after this one, Ansible's own result encoding included).
MAX_DEPTH = 32
_BOMS = ((codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF16_LE, "utf-16"))
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class SDXError(Exception):
    """A failed SDX call: transport trouble, an API error answer, or an unusable answer.

    ``ambiguous`` is true when a request may have been processed although no answer came back
    (the connection dropped after sending, a read timeout, a 5xx): such a POST must be reconciled,
    never blindly retried.
    """

    def __init__(self, message: str, *, status: int | None = None, error_type: str | None = None,
                 code: str | None = None, api_message: str | None = None, doc_url: str | None = None,
                 ambiguous: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.code = code
        self.api_message = api_message
        self.doc_url = doc_url
        self.ambiguous = ambiguous
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "type": self.error_type, "code": self.code,
                "message": self.api_message, "doc_url": self.doc_url}

    def with_context(self, context: str) -> "SDXError":
        """The same error with a sentence of context put in front of its message."""
        self.message = f"{context}: {self.message}"
        self.args = (self.message,)
        return self


class SDXLocalError(SDXError):
    """A request that could not even be sent, because something on this side is wrong (an invalid header value,
    an unusable URL): nothing reached the API, so it is never retried and never an unknown outcome. The message
    names the option at fault."""


class SDXInputError(ValueError):
    """Task input that is wrong before any request is made; the message names the field."""


class UnreadableAnswer(ValueError):
    """A body that is not a JSON value this collection can carry; the message says why, in a few words."""


def decode_json(body: bytes) -> Any:
    """The JSON value of an answer's body, or UnreadableAnswer saying why it is not one.

    Strict: the text must be valid in its encoding (UTF-8, or UTF-16/32 told by a BOM or the NUL pattern of
    RFC 4627), hold no NaN or Infinity, nest at most MAX_DEPTH levels, and decode without exhausting the stack.
    """
    try:
        text = body.decode(json_encoding(body))
    except UnicodeDecodeError as error:
        raise UnreadableAnswer(f"is not valid {error.encoding.upper()} text (byte {error.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise UnreadableAnswer(f"nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise UnreadableAnswer(f"is not JSON ({str(error)[:120]})") from None
    if not within_depth(value, MAX_DEPTH):
        raise UnreadableAnswer(f"nests deeper than {MAX_DEPTH} levels")
    return value


def json_encoding(body: bytes) -> str:
    """The encoding of a JSON text: by its BOM, else by where the NULs of its first four bytes are (RFC 4627)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding
    head = body[:4]
    if len(head) == 4 and head.count(0) == 3:
        return "utf-32-be" if head[:3] == b"\0\0\0" else "utf-32-le" if head[1:] == b"\0\0\0" else "utf-8"
    if len(head) >= 2 and head.count(0) == len(head) // 2:
        return "utf-16-be" if head[::2] == b"\0" * len(head[::2]) else "utf-16-le" if head[1::2] == b"\0" * len(
            head[1::2]) else "utf-8"
    return "utf-8"


def within_depth(value: Any, limit: int) -> bool:
    """Whether no list or object in ``value`` sits deeper than ``limit`` levels (walked without recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_error_body(body: bytes, content_type: str) -> dict[str, Optional[str]]:
    """The documented error fields (``type``, ``code``, ``message``, ``doc_url``) of an error answer's body.

    A ``{"message"}`` body gives only its message; a body that is not JSON (an HTML page from a proxy) gives a
    message saying so, with the start of its text.
    """
    fields: dict[str, Optional[str]] = dict.fromkeys(ERROR_FIELDS)
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        return fields
    try:
        data = decode_json(body)
    except UnreadableAnswer as error:
        data, problem = None, str(error)
    else:
        problem = "is not an object"
    if isinstance(data, dict):
        fields.update({key: _writable(str(data[key])) for key in ERROR_FIELDS
                       if isinstance(data.get(key), (str, int))})
        return fields
    snippet = _SPACE.sub(" ", _TAGS.sub(" ", text)).strip()[:200]
    if "html" in content_type.lower() or "<html" in text.lower():
        fields["message"] = "an HTML page instead of JSON" + (f" ({snippet})" if snippet else "")
    elif text.lstrip()[:1] in ("[", "{"):
        fields["message"] = f"a body that is not a JSON error object: it {problem}"
    else:
        fields["message"] = "a non-JSON body instead of JSON" + (f" ({_writable(snippet)})" if snippet else "")
    return fields


def valid_unicode(value: Any) -> bool:
    """Whether every string in a decoded JSON value can be written as UTF-8 (Ansible cannot carry a lone surrogate)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(valid_unicode(key) and valid_unicode(item) for key, item in value.items())
    if isinstance(value, list):
        return all(valid_unicode(item) for item in value)
    return True


def _writable(text: str) -> str:
    """``text`` with any lone surrogate (from a ``\\ud800`` escape) written as that escape: Ansible cannot carry it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_from_answer(status: int, body: bytes, content_type: str, *, method: str, url: str,
                      retry_after: float | None = None) -> SDXError:
    """The SDXError of an HTTP error answer, read from its status and body."""
    fields = read_error_body(body, content_type)
    detail = fields["message"] or f"HTTP {status} without an error message"
    label = "/".join(part for part in (fields["type"], fields["code"]) if part)
    summary = f"SDX API answered HTTP {status}" + (f" ({label})" if label else "") + f" to {method} {url}: {detail}"
    if status == 401:
        summary = f"SDX rejected the API token (HTTP 401): {detail.rstrip('.')}. Check api_token or SDX_API_TOKEN."
    elif status == 403:
        summary = f"The API token may not do this (HTTP 403{', ' + label if label else ''}): {detail}"
    return SDXError(summary, status=status, error_type=fields["type"], code=fields["code"],
                    api_message=fields["message"], doc_url=fields["doc_url"], ambiguous=status >= 500,
                    retry_after=retry_after)
