"""Run an event source's ``main(queue, args)`` the way ansible-rulebook does: loaded by path, as runpy does."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.request
from tests.unit.paths import collection_path

# The path through an ansible_collections directory, as an installed collection has it.
SOURCES = collection_path() / "extensions" / "eda" / "plugins" / "event_source"


def load_source(name: str) -> dict:
    """The source's namespace, as ``runpy.run_path`` gives it to ansible-rulebook: the file run under the name
    ``<run_path>``, outside any package.

    runpy itself is not called: under ansible-test, the collection loader's path hook claims the file as a package
    folder, and run_path then looks for a ``__main__`` in it.
    """
    path = SOURCES / f"{name}.py"
    namespace = {"__name__": "<run_path>", "__file__": str(path), "__loader__": None, "__package__": None,
                 "__spec__": None, "__cached__": None}
    exec(compile(path.read_bytes(), str(path), "exec"), namespace)  # pylint: disable=exec-used
    return namespace


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sim_call(server, method: str, path: str, body: object = None, token: str | None = None):
    request = urllib.request.Request(server.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


async def next_event(queue: asyncio.Queue, task: asyncio.Task, timeout: float = 30.0) -> dict:
    """The next event, failing loudly if the source died or nothing came."""
    getter = asyncio.ensure_future(queue.get())
    done, _pending = await asyncio.wait({getter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if getter in done:
        return getter.result()
    getter.cancel()
    if task in done:
        raise AssertionError(f"the source stopped: {task.exception()!r}")
    raise AssertionError(f"no event within {timeout} s")


async def events_until(queue: asyncio.Queue, task: asyncio.Task, predicate, timeout: float = 60.0) -> list[dict]:
    """Every event up to and including the first that satisfies ``predicate``."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        event = await next_event(queue, task, max(0.1, deadline - time.monotonic()))
        seen.append(event)
        if predicate(event):
            return seen


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
