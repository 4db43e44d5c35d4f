# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""API vocabulary: pydantic v2 models of what SDX takes and answers."""

from __future__ import annotations

import re
import traceback
import uuid
from datetime import datetime, timezone
from typing import Any, Literal, Optional, get_args
from urllib.parse import quote, urlsplit

from ._errors import SDXError, SDXInputError

PYDANTIC_IMPORT_ERROR = None
try:
    from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
except ImportError:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_PYDANTIC = False
    PYDANTIC_IMPORT_ERROR = traceback.format_exc()

    class BaseModel:  # type: ignore[no-redef]  # lets the class bodies below import without pydantic
        pass

    class ValidationError(Exception):  # type: ignore[no-redef]
        pass

    def ConfigDict(**kwargs):  # type: ignore[no-redef]  # pylint: disable=invalid-name
        return kwargs

    def Field(*args, **kwargs):  # type: ignore[no-redef]  # pylint: disable=invalid-name,unused-argument
        return None

    def AliasChoices(*args):  # type: ignore[no-redef]  # pylint: disable=invalid-name,unused-argument
        return None

    def field_validator(*args, **kwargs):  # type: ignore[no-redef]  # pylint: disable=unused-argument
        return lambda function: function
else:
    HAS_PYDANTIC = True

SITE_ID_EXAMPLE = "9c69345c-8d39-4786-9f17-8153c988c89a"
# A job's status, as the collection derives it (SDX sends none): the one list every module, filter and event reads.
JobStatus = Literal["pending", "running", "completed", "failed", "cancelled"]
JOB_STATUSES: tuple[JobStatus, ...] = get_args(JobStatus)
ACTIVE_STATUSES: tuple[JobStatus, ...] = ("pending", "running")
# What SDX lists as a backup's filename ("<UNIX second>.rsc"): letters, digits, "_", "." and "-", never a dot
# segment ("." or ".."), so that it is one path segment that names a file.
BACKUP_FILENAME = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,255}$")


def parse_uuid(value: Any, field: str, what: str) -> str:
    """A UUID as SDX expects it (lower-case); SDXInputError naming the field otherwise."""
    text = str(value or "").strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise SDXInputError(f"{field}: expected a {what} UUID such as {SITE_ID_EXAMPLE}, got {text!r}") from None


def parse_site_id(value: Any, field: str = "site_id") -> str:
    return parse_uuid(value, field, "site")


def parse_job_id(value: Any, field: str = "job_id") -> str:
    return parse_uuid(value, field, "job")


# An identifier an answer gives for a site or a job: the API documents UUIDs, and a site may also go by its
# "site_..." pid, so any word of letters, digits, "-" and "_" is taken; never "/", "." or "%", which could
# make it more (or less) than one path segment.
IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

# Identifiers an answer gives that go into a request path: what each can be, and how a message names it.
_PATH_IDENTIFIERS = {
    "site": (IDENTIFIER.match, f"an id of letters, digits, '-' and '_' such as {SITE_ID_EXAMPLE}"),
    "job": (IDENTIFIER.match, f"an id of letters, digits, '-' and '_' such as {SITE_ID_EXAMPLE}"),
    "backup": (BACKUP_FILENAME.match, "a filename such as 1732567800.rsc (letters, digits, '_', '.' and '-')"),
}


def path_segment(kind: str, value: Any) -> str:
    """A ``site``, ``job`` or ``backup`` identifier as one quoted URL path segment, after checking it is what such
    an identifier can be; SDXError otherwise, so that a value read from an answer never steers a request elsewhere."""
    valid, expected = _PATH_IDENTIFIERS[kind]
    if not isinstance(value, str) or not valid(value):
        shown = repr(value)[:120]
        raise SDXError(f"the {kind} identifier {shown} is not {expected}; it was not put into a request path "
                       f"(assumed: SDX gives {kind} identifiers of that form)")
    return quote(value, safe="")


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each starting with the field it is about."""
    lines = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem.get("loc", ())) or "input"
        message = problem.get("msg", "is invalid").removeprefix("Value error, ")
        lines.append(f"{field}: {message}")
    return "; ".join(lines)


class AsynchronousScriptRequest(BaseModel):
    """The body of ``POST /api/asynchronous/{siteId}`` (the seed spec's AsynchronousScriptRequest)."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    description: str
    script: str
    make_backup: bool = False
    express_execute: bool = False
    needs_acknowledgement: bool = False
    notify_url: Optional[str] = None

    @field_validator("description", "script")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if "\0" in value:
            raise ValueError("must not contain a NUL character (\\x00)")
        return value

    @field_validator("notify_url")
    @classmethod
    def _https_only(cls, value: Optional[str]) -> Optional[str]:
        if value is None:
            return value
        if re.search(r"[\s\x00-\x1f\x7f]", value):
            raise ValueError(f"expected an https:// URL without spaces or control characters, got {value!r}")
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError(f"expected an https:// URL, got {value!r}")
        return value

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "AsynchronousScriptRequest":
        fields = {name: params.get(name) for name in cls.model_fields}
        try:
            return cls(**{name: value for name, value in fields.items() if value is not None})
        except ValidationError as error:
            raise SDXInputError(describe_validation_error(error)) from None

    def payload(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)

    def matches(self, job: "Job") -> bool:
        """Same task as an existing job: script and description equal (trailing whitespace aside), and every
        option the job list reports equal too. ``notify_url`` is not in the job list, so it is not compared."""
        if ((job.script or "").rstrip() != self.script.rstrip()
                or (job.description or "").rstrip() != self.description.rstrip()):
            return False
        reported = {"make_backup": job.should_backup, "needs_acknowledgement": job.needs_acknowledgement,
                    "express_execute": job.express_execute}
        return all(value is None or value == getattr(self, name) for name, value in reported.items())


class _APIObject(BaseModel):
    """An object SDX answers with: fields the model does not name are kept, not refused.

    Every model defers building its validator to its first use: a task builds only the ones it needs.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class AsynchronousScriptAccepted(_APIObject):
    """``data`` of the 202 answer: no job id, but the server-made idempotency key."""

    idempotency_key: str
    request_id: Optional[str] = None
    target: Optional[str] = None
    notify_url: Optional[str] = None
    date: Optional[str] = None

    @classmethod
    def from_answer(cls, answer: Any, endpoint: str) -> "AsynchronousScriptAccepted":
        """The accepted request from the answer (``{"data": {...}}`` or bare); SDXError naming what is missing."""
        data = answer.get("data") if isinstance(answer, dict) and isinstance(answer.get("data"), dict) else answer
        return parse_answer(cls, data, endpoint)


class Job(_APIObject):
    """A site job. SDX gives no status field, so ``status`` is derived from the timestamps.

    ``token`` is the job's short reference (base62 of its id) that SDX writes into the job's log lines and
    that ``log_url`` filters on; it grants nothing, so it stays in results.
    """

    id: str
    token: Optional[str] = None
    site_id: Optional[str] = None
    idempotency_key: Optional[str] = None
    description: Optional[str] = None
    script: Optional[str] = None
    express_execute: Optional[bool] = None
    needs_acknowledgement: Optional[bool] = None
    should_backup: Optional[bool] = Field(default=None, validation_alias=AliasChoices("should_backup", "make_backup"))
    associated_backup: Optional[str] = None
    created_at: Optional[str] = None
    started_at: Optional[str] = None
    completed_at: Optional[str] = None
    failed_at: Optional[str] = None
    deleted_at: Optional[str] = None
    log_url: Optional[str] = None

    @property
    def status(self) -> JobStatus:
        if self.failed_at:
            return "failed"
        if self.completed_at:
            return "completed"
        if self.deleted_at:
            return "cancelled"
        if self.started_at:
            return "running"
        return "pending"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def to_result(self) -> dict[str, Any]:
        """The job as a task returns it: every field but the script (it may hold secrets)."""
        data = self.model_dump(exclude={"script"})
        data.pop("status", None)
        data["status"] = self.status
        return data


class Site(_APIObject):
    """A site (one MikroTik router); ``has_pulse`` is its online flag."""

    id: str
    pid: Optional[str] = None
    name: Optional[str] = None
    identity: Optional[str] = None
    has_pulse: bool = False
    model: Optional[str] = None
    software_version: Optional[str] = None

    @property
    def online(self) -> bool:
        return bool(self.has_pulse)


class Backup(_APIObject):
    """One backup as SDX lists it (``content`` only when it was read on its own)."""

    filename: str
    size: Optional[str] = None
    date: Optional[str] = None
    time: Optional[str] = None
    created_at: Optional[str] = None
    content: Optional[str] = None

    @property
    def timestamp(self) -> Optional[float]:
        """When it was taken: ``created_at``, else the UNIX timestamp its filename carries."""
        moment = parse_time(self.created_at)
        if moment is not None:
            return moment
        match = re.match(r"^(\d{9,11})(?:\.\w+)?$", self.filename)
        return float(match.group(1)) if match else None

    def metadata(self) -> dict[str, Any]:
        """The listed fields, as a task returns them."""
        return {"filename": self.filename, "size": self.size, "date": self.date, "time": self.time,
                "created_at": self.created_at}


def parse_moment(value: Any) -> Optional[datetime]:
    """An ISO 8601 time of an answer as an aware datetime (UTC when it names no zone); None when missing or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def parse_time(value: Optional[str]) -> Optional[float]:
    """An ISO 8601 time of an answer as a UNIX timestamp (UTC when it names no zone); None when unreadable."""
    moment = parse_moment(value)
    return moment.timestamp() if moment else None


def _kind_of(data: Any) -> str:
    """What a JSON value is, as a message names it (an object, a list, null, a str...)."""
    if isinstance(data, dict):
        return "an object"
    if isinstance(data, list):
        return "a list"
    return "null" if data is None else f"a {type(data).__name__}"


def parse_answer(model: type, data: Any, endpoint: str) -> Any:
    """An API answer as ``model``: the one place an answer of an unexpected shape becomes an SDXError."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = describe_validation_error(error)
        raise SDXError(f"SDX API answered {endpoint} with {_kind_of(data)} that is not a {model.__name__} "
                       f"({problems})") from None


def parse_items(model: type, items: list[Any], endpoint: str) -> list[Any]:
    """Every item of a list answer as ``model``; the error names the first item that does not fit."""
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as error:
            raise SDXError(f"SDX API answered {endpoint} with a list whose item {index} is {_kind_of(item)} that "
                           f"is not a {model.__name__} ({describe_validation_error(error)})") from None
    return parsed
