"""The ``/_sim/`` control surface (tests, benchmarks and the demo only): faults, plans, settings, the logs."""

from __future__ import annotations

import re

from .commands import SHAPES
from .faults import FaultRule
from .plans import PlanError
from .response import Response
from .state import Simulator


def control(sim: Simulator, method: str, path: str, body: object) -> Response:
    if path == "/_sim/health":
        return Response(200, {"status": "ok", "sites": len(sim.fleet.sites)})
    if path == "/_sim/requests":
        if method == "DELETE":
            sim.clear_log()
            return Response(204)
        return Response(200, sim.requests())
    if path == "/_sim/faults":
        return _faults(sim, method, body)
    if path == "/_sim/plans":
        return _plans(sim, method, body)
    if path == "/_sim/notifications":
        return Response(200, sim.notifier.log())
    if path == "/_sim/jobs":
        return Response(200, sim.fleet.all_jobs())
    if path == "/_sim/settings":
        return _settings(sim, method, body)
    if path == "/_sim/reset" and method == "POST":
        sim.reset()
        return Response(204)
    match = re.match(r"^/_sim/sites/(?P<site>[^/]+)$", path)
    if match and method == "POST" and isinstance(body, dict):
        return _site(sim, match["site"], body)
    return Response(404, {"message": f"unknown control {method} {path}"})


def _faults(sim: Simulator, method: str, body: object) -> Response:
    if method == "DELETE":
        sim.faults.clear()
        return Response(204)
    if method == "POST":
        try:
            for rule in body if isinstance(body, list) else [body]:
                sim.faults.add(FaultRule.from_json(rule or {}))
        except (TypeError, ValueError) as error:
            return Response(400, {"message": str(error)})
        return Response(201, sim.faults.to_json())
    return Response(200, sim.faults.to_json())


def _plans(sim: Simulator, method: str, body: object) -> Response:
    """POST one plan or a list of them (each checked before any is set), GET them with what they did, DELETE."""
    if method == "DELETE":
        sim.plans.clear()
        return Response(204)
    if method == "POST":
        plans = body if isinstance(body, list) else [body]
        try:
            sim.plans.check(plans)
        except PlanError as error:
            return Response(400, {"message": str(error)})
        for plan in plans:
            sim.plans.add(plan)
        return Response(201, sim.plans.to_json())
    return Response(200, sim.plans.to_json())


def _site(sim: Simulator, site_id: str, body: dict) -> Response:
    if site_id not in sim.fleet.sites:
        return Response(404, {"message": "no such site"})
    if "online" in body:
        sim.fleet.set_online(site_id, bool(body["online"]))
    site = sim.fleet.update_site(site_id, name=body.get("name"), identity=body.get("identity"))
    if body.get("identity") is not None:
        sim.routers.set_identity(site, body["identity"])
    return Response(200, {"id": site.id, "name": site.name, "identity": site.identity, "online": site.online})


def _settings(sim: Simulator, method: str, body: object) -> Response:
    """GET: the run-time switches; POST {"sync_shape": "typed", "missed_heartbeats": 0, ...}: change them."""
    if method == "POST":
        problem = settings_problem(sim.settings, body)
        if problem:
            return Response(400, {"message": problem})
        sim.apply_settings(body)
    return Response(200, dict(sim.settings))


def settings_problem(known: dict, body: object) -> str | None:
    if not isinstance(body, dict) or set(body) - set(known):
        return f"settings are {', '.join(sorted(known))}"
    if "sync_shape" in body and body["sync_shape"] not in SHAPES:
        return f"sync_shape is one of {', '.join(SHAPES)}"
    if "bulk_backups" in body and not isinstance(body["bulk_backups"], bool):
        return "bulk_backups is true or false"
    seconds = body.get("heartbeat_seconds", 1)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        return "heartbeat_seconds is a number of router seconds above 0"
    missed = body.get("missed_heartbeats", 0)
    if isinstance(missed, bool) or not isinstance(missed, int) or missed < 0:
        return "missed_heartbeats is a whole number, 0 or more"
    return None
