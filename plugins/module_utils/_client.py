# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Transport: one small SDX client over a requests Session (auth, TLS, timeouts, retries, errors), built from
the connection options by ``client_from_options`` after checking them."""

from __future__ import annotations

import os
import re
import time
import traceback
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from . import _progress
from ._budget import RateBudget
from ._connection import DEFAULT_API_URL
from ._errors import (SDXError, SDXInputError, SDXLocalError, UnreadableAnswer, decode_json, error_from_answer,
                      valid_unicode)
from ._numbers import count, seconds
from ._retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from ._version import COLLECTION_VERSION

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
except ImportError:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    BAD_HEADER: tuple = ()
    BAD_URL: tuple = ()
    BAD_BODY: tuple = ()
else:
    HAS_REQUESTS = True
    # Raised while the request is prepared, before anything is sent: local errors, never retried. A header value
    # that is not latin-1 fails in http.client with a UnicodeEncodeError, also before sending.
    BAD_HEADER = (requests.exceptions.InvalidHeader, UnicodeEncodeError)
    BAD_URL = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
               requests.exceptions.URLRequired)
    BAD_BODY = (requests.exceptions.InvalidJSONError,)

MAX_PAGES = 1000
MASK = "********"
MIN_MASKED = 8


def _never_sent(error: BaseException) -> bool:
    """True when a transport error happened before the request reached the server."""
    seen: set[int] = set()
    stack: list[Any] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (NewConnectionError, ConnectTimeoutError, requests.exceptions.ConnectTimeout)):
            return True
        if isinstance(current, BaseException):
            stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
            stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


class SDXClient:
    """Talks to one SDX API with one token. Reads retry on their own; writes only when nothing was sent."""

    def __init__(self, api_url: str, api_token: str, *, timeout: float = 30, validate_certs: bool = True,
                 ca_path: str | None = None, agent: str = "module", retry: RetryPolicy | None = None,
                 budget: RateBudget | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base_url = api_url.rstrip("/") + "/"
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.budget = budget
        self.sleep = sleep
        self.clock = clock
        self._budget_wait = 0.0
        self._secrets = _secret_forms(api_token)
        self.session = requests.Session()
        # Given with every request, not set on the session: requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE
        # override a session's verify, turning validate_certs=false back on.
        self.verify: bool | str = (ca_path or True) if validate_certs else False
        self.session.headers.update({
            "Authorization": f"Bearer {api_token}",
            "Accept": "application/json",
            "User-Agent": (f"altostrat.sdx/{COLLECTION_VERSION} ({agent}) ansible-core/{ANSIBLE_VERSION} "
                           f"python-requests/{requests.__version__}"),
        })

    def url(self, path: str) -> str:
        try:
            return urljoin(self.base_url, path.lstrip("/"))
        except ValueError as error:  # such as "Invalid IPv6 URL"
            raise SDXLocalError(self.mask(f"api_url: cannot build a URL from {self.base_url!r} and {path!r}: {error}; "
                                          f"check api_url (expected an http(s) URL such as {DEFAULT_API_URL})")) from None

    def mask(self, text: str) -> str:
        """``text`` with the token, in any form an exception may quote it in, replaced by ``********``."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def endpoint(self, method: str, path: str) -> str:
        """``METHOD URL``, as errors name an endpoint."""
        return f"{method} {self.url(path)}"

    def get(self, path: str, params: dict | None = None, give_way: bool = False) -> Any:
        return self.request("GET", path, params=params, give_way=give_way)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def post(self, path: str, body: dict) -> Any:
        return self.request("POST", path, body=body)

    def get_list(self, path: str, give_way: bool = False) -> list[Any]:
        """A collection: a bare array, ``{"data": [...]}``, or Laravel pages followed through ``next``.

        A ``next`` link must stay on the API's host and the collection's path, and must not lead back to a page
        already read: a loop is an error naming it, not a thousand requests.
        """
        items: list[Any] = []
        first = self.url(path)
        read = [first]
        url = first
        while True:
            payload = self.get(url, give_way=give_way)
            if isinstance(payload, list):
                return items + payload
            if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
                raise SDXError(f"SDX API answered GET {first} with something that is not a list")
            items.extend(payload["data"])
            link = _next_page(payload)
            if not link:
                return items
            url = self._next_page_url(first, read, link)
            read.append(url)

    def _next_page_url(self, first: str, read: list[str], link: str) -> str:
        """The absolute URL of the next page, checked: same host and path as the first page, never read yet."""
        try:
            url = urljoin(read[-1], link)
            parts, start = urlsplit(url), urlsplit(first)
        except ValueError as error:
            raise SDXError(f"SDX API pagination of GET {first} gave a next page link that is not a URL "
                           f"({link[:200]!r}: {error})") from None
        if parts.netloc != start.netloc or parts.scheme != start.scheme:
            raise SDXError(f"SDX API pagination pointed at another host ({link[:200]}); not sending the token there")
        if parts.path.rstrip("/") != start.path.rstrip("/"):
            raise SDXError(f"SDX API pagination of GET {first} pointed at another path ({link[:200]}); a next "
                           f"page is the same collection with another query (assumed: Laravel pagination)")
        if url in read:
            raise SDXError(f"SDX API pagination of GET {first} loops: page {len(read)} ({read[-1]}) names "
                           f"{url} as its next page, which was already read as page {read.index(url) + 1}; "
                           f"stopped after {len(read)} requests")
        if len(read) >= MAX_PAGES:
            raise SDXError(f"GET {first} kept paginating past {MAX_PAGES} pages")
        return url

    def waited_for_budget(self) -> float:
        """Seconds this client's requests have waited so far for their place in the shared rate budget."""
        return self._budget_wait

    def request(self, method: str, path: str, *, body: dict | None = None, params: dict | None = None,
                give_way: bool = False) -> Any:
        """One API call with the retry policy; answers the decoded JSON (None for an empty body).

        Every attempt first takes its place in the shared rate budget; with ``give_way`` (a poll that can wait)
        it lets requests of other processes that are waiting go first. No error leaves it holding the token.
        """
        try:
            return self._request(method, path, body, params, give_way)
        except SDXError as error:
            error.message = self.mask(error.message)
            error.args = (error.message,)
            error.api_message = self.mask(error.api_message) if error.api_message else error.api_message
            raise

    def _request(self, method: str, path: str, body: dict | None, params: dict | None, give_way: bool) -> Any:
        url = self.url(path)
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            if self.budget is not None:
                self._budget_wait += self.budget.acquire(give_way=give_way)
            try:
                return self._send(method, url, body, params)
            except SDXError as error:
                if not self._worth_retrying(method, error):
                    raise
                delay = self.retry.delay(attempt, error.retry_after, error.status)
                # A 429 was not processed: it is retried until the deadline, however many attempts it takes.
                out_of_attempts = attempt >= self.retry.max_attempts and error.status != 429
                if out_of_attempts or self.clock() - started + delay > self.retry.deadline:
                    error.with_context(f"gave up after {attempt} attempt(s)")
                    raise
                self.sleep(delay)

    @staticmethod
    def _worth_retrying(method: str, error: SDXError) -> bool:
        if isinstance(error, SDXLocalError):
            return False
        if error.status == 429:
            return True
        if method != "GET":
            # A write is sent again only when it surely never reached the server (HTTP 429 is refused before
            # any work); any other outcome is reconciled by the caller, never blindly repeated.
            return error.status is None and not error.ambiguous
        return error.status is None or error.status in RETRYABLE_STATUSES

    def _send(self, method: str, url: str, body: dict | None, params: dict | None) -> Any:
        """One attempt: the request sent once, its answer decoded or turned into an SDXError."""
        answers: list[Any] = []
        try:
            response = self.session.request(method, url, json=body, params=params, timeout=self.timeout,
                                            verify=self.verify, allow_redirects=False,
                                            hooks={"response": lambda answer, *_args, **_kwargs: answers.append(answer)})
        except UnicodeDecodeError:
            # requests reads a redirect's Location as UTF-8 even when it follows none: the answer is there.
            if not answers:
                raise
            response = answers[-1]
        except BAD_HEADER:
            self._answered()
            raise SDXLocalError("api_token: the token cannot be sent in an HTTP header: it holds a line break, a space "
                                "or another character an API token never has. Nothing was sent; the token is not "
                                "shown. Check api_token or SDX_API_TOKEN") from None
        except BAD_URL as error:
            self._answered()
            raise SDXLocalError(f"api_url: {method} {url} cannot be sent ({_reason(error)}). Nothing was sent; check "
                                f"api_url (expected an http(s) URL such as {DEFAULT_API_URL})") from None
        except BAD_BODY as error:
            self._answered()
            raise SDXLocalError(f"the body of {method} {url} cannot be sent as JSON ({_reason(error)}); check the "
                                f"task's options. Nothing was sent") from None
        except requests.exceptions.RequestException as error:
            self._answered()
            sent = not _never_sent(error)
            reason = "timed out" if isinstance(error, requests.exceptions.Timeout) else _reason(error)
            raise SDXError(f"could not reach {url}: {reason}", ambiguous=sent) from None
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        self._answered(retry_after if response.status_code == 429 else None)
        if 300 <= response.status_code < 400:
            raise _redirect_error(response, method, url)
        if response.status_code >= 400:
            raise error_from_answer(response.status_code, response.content, response.headers.get("content-type", ""),
                                    method=method, url=url, retry_after=retry_after)
        if not response.content.strip():
            return None
        try:
            answer = decode_json(response.content)
        except UnreadableAnswer as error:
            raise SDXError(f"SDX API answered {method} {url} with HTTP {response.status_code} but the body "
                           f"{error}; it starts {_start(response.content)}",
                           status=response.status_code) from None
        # Cheap tests first: a JSON body in UTF-16 or UTF-32 has a NUL in its first four bytes.
        content = response.content
        if (b"\0" in content[:4] or _SURROGATE_ESCAPE.search(content)) and not valid_unicode(answer):
            raise SDXError(f"SDX API answered {method} {url} with HTTP {response.status_code} but the body holds "
                           f"text that is not valid Unicode (a lone surrogate escape such as \\ud800)",
                           status=response.status_code)
        return answer

    def _answered(self, retry_after: float | None = None) -> None:
        """The request's slot in the rate budget holds for one more window from now (a 429's Retry-After
        closes the budget for every process until then)."""
        if self.budget is not None:
            self.budget.release(retry_after)


def client_from_options(options: dict[str, Any], agent: str) -> SDXClient:
    """A client for these connection options, after checking them; SDXInputError names a bad one."""
    token = checked_token(options.get("api_token"))
    api_url = checked_api_url(options.get("api_url"))
    timeout = seconds("timeout", options.get("timeout"))
    rate_limit = count("rate_limit", options.get("rate_limit"), minimum=0,
                       what="requests per minute (0 turns the budget off)")
    ca_path = options.get("ca_path")
    if ca_path and not os.path.exists(ca_path):
        raise SDXInputError(f"ca_path: expected a PEM file (or directory) of CA certificates, but {ca_path!r} does "
                            f"not exist")
    budget = RateBudget(api_url, token, rate_limit, on_wait=_progress.budget_wait) if rate_limit > 0 else None
    return SDXClient(api_url, token, timeout=timeout, validate_certs=options.get("validate_certs", True),
                     ca_path=ca_path, agent=agent, budget=budget)


def checked_token(value: Any) -> str:
    """The token without surrounding whitespace (a vaulted value often ends with a line break).

    A token with anything but printable ASCII left inside cannot be sent in a header; the error never shows it.
    """
    token = value.strip() if isinstance(value, str) else value
    if not token:  # an api_token given empty (a lookup of an unset variable) must not hide SDX_API_TOKEN
        token = os.environ.get("SDX_API_TOKEN", "").strip()
    if not token:
        raise SDXInputError("api_token: no API token given; set the api_token option or the SDX_API_TOKEN "
                            "environment variable")
    if not isinstance(token, str) or not all("!" <= char <= "~" for char in token):
        raise SDXInputError("api_token: expected printable ASCII characters without spaces, line breaks or other "
                            "control characters inside (surrounding whitespace is ignored); the token given holds "
                            "another character. It is not shown")
    return token


def checked_api_url(value: Any) -> str:
    """The API URL, checked to be an http(s) URL with a host; SDXInputError names ``api_url`` otherwise."""
    api_url = value.strip() if isinstance(value, str) else ""
    problem = None
    try:
        parts = urlsplit(api_url)
        _port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as error:
        problem = str(error)
    else:
        if parts.scheme not in ("https", "http"):
            problem = "it must start with https:// or http://"
        elif not parts.hostname:
            problem = "it has no host"
        elif not all(char.isprintable() and not char.isspace() for char in api_url):
            problem = "it holds a space or a control character"
    if problem:
        raise SDXInputError(f"api_url: expected an http(s) URL such as {DEFAULT_API_URL}, got {api_url!r} "
                            f"({problem})")
    return api_url


def _next_page(payload: dict) -> str | None:
    links = payload.get("links")
    if isinstance(links, dict) and isinstance(links.get("next"), str) and links["next"]:
        return links["next"]
    nxt = payload.get("next_page_url")
    return nxt if isinstance(nxt, str) and nxt else None


def _secret_forms(token: str) -> list[str]:
    """The token as sent and as an exception's repr quotes it (escaped line breaks...), longest first.

    Forms shorter than MIN_MASKED are left alone: they would mask ordinary words, and no SDX token is that short.
    """
    forms = set()
    for text in (token, token.strip()):
        forms.update((text, repr(text)[1:-1], repr(text.encode("utf-8", "backslashreplace"))[2:-1]))
    return sorted((form for form in forms if len(form.strip()) >= MIN_MASKED), key=len, reverse=True)


def _redirect_error(response: Any, method: str, url: str) -> SDXError:
    """A 3xx answer: the SDX API never redirects, so the request was not processed (redirects are not followed)."""
    location = response.headers.get("location")
    try:
        target = f"redirect to {urljoin(url, location)[:200]}" if location else "a redirect without a Location"
    except ValueError:
        target = f"redirect to {location[:200]!r}"
    return SDXError(f"SDX API answered HTTP {response.status_code} ({target}) to {method} {url}; the SDX API does "
                    f"not redirect, so the request was not processed. api_url likely points at something other "
                    f"than the API (expected an http(s) URL such as {DEFAULT_API_URL})",
                    status=response.status_code)


def _start(body: bytes) -> str:
    """The first bytes of a body, as a message can show them whatever they hold."""
    return repr(body[:60].decode("utf-8", "backslashreplace")) + ("..." if len(body) > 60 else "")


def _reason(error: BaseException) -> str:
    text = str(error)
    for marker in ("Failed to establish a new connection: ", "Connection aborted.', "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text.strip(" ()'\"")[:200] or type(error).__name__


# A JSON escape of a UTF-16 surrogate: only such an escape can put a lone surrogate into decoded text.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
