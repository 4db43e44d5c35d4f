"""The generated sites, and what the API shows of their contact with SDX: heartbeats, ``last_seen_at``, ``has_pulse``.

SDX's documentation (sdx-api.md section 1, from the monitoring and health pages): the router checks in about
every 30 s; a site counts as offline after 10 missed heartbeats (about 5 minutes) and clears on its next heartbeat.
The simulator follows it on its time-scaled clock: while a site is in contact it checks in every
``heartbeat_seconds`` router seconds (every site on the same beat) and at once when contact comes back; while it
is cut off its ``last_seen_at`` stays at its last check-in, and ``has_pulse`` turns false only once
``missed_heartbeats`` check-ins are missed (0: at once). A site taken offline through the control surface, or
generated offline, is one SDX has known to be offline for long: no pulse at once, last seen an hour before.
"""

from __future__ import annotations

import math
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

HEARTBEAT_SECONDS = 30
MISSED_HEARTBEATS = 10
LONG_AGO = 3600.0  # real seconds since a site known offline last checked in
CONTROL = "control"  # the block the control surface sets (and sites generated offline carry)
# One mapping from the monotonic clock, on which the simulator plays events, to the times the API shows
_MONO_EPOCH, _WALL_EPOCH = time.monotonic(), datetime.now(timezone.utc)


def wall(mono: float) -> datetime:
    """The wall-clock time of a monotonic moment, the same for every answer that shows it."""
    return _WALL_EPOCH + timedelta(seconds=mono - _MONO_EPOCH)


MODELS = (
    ("RB5009UG+S+", "RB5009", "arm64", True),
    ("hAP ax3", "C53UiG+5HPaxD2HPaxD", "arm64", True),
    ("CCR2004-1G-12S+2XS", "CCR2004", "arm64", True),
    ("hEX S", "RB760iGS", "mmips", True),
    ("CHR", "CHR", "x86_64", False),
)
VERSIONS = ("7.15.1", "7.16.2", "7.14.3", "7.12.1", "6.49.15")
REGIONS = ("emea", "apac", "amer")
# The first site has the id the API documentation uses in its examples, so documented examples run as written.
EXAMPLE_SITE_ID = "9c69345c-8d39-4786-9f17-8153c988c89a"
BASE62 = string.digits + string.ascii_letters
ALNUM = string.ascii_uppercase + string.digits


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def base62(number: int, width: int = 10) -> str:
    digits = []
    while number and len(digits) < width:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)) or "0"


@dataclass
class Presence:
    """Why the router cannot reach SDX now (no block: it can), and when it last checked in."""

    blocks: set[str] = field(default_factory=set)  # control, config, flap, power
    since: float = field(default_factory=time.monotonic)  # when contact last came back (monotonic)
    last_beat: float = 0.0  # its last check-in before contact was lost (monotonic)
    booted: float | None = None  # when it last booted (None: before the simulator started)

    @classmethod
    def offline_long(cls) -> "Presence":
        return cls(blocks={CONTROL}, last_beat=time.monotonic() - LONG_AGO)


class Seen(NamedTuple):
    pulse: bool
    last_seen: datetime  # its last check-in
    ago: float  # real seconds since then
    uptime: str


class Heartbeats:
    """The check-in clock: every site beats every ``seconds`` router seconds from ``epoch``, on one beat."""

    def __init__(self, time_scale: float, seconds: float = HEARTBEAT_SECONDS,
                 missed: int = MISSED_HEARTBEATS) -> None:
        self.time_scale = time_scale
        self.seconds = seconds
        self.missed = missed
        self.epoch = time.monotonic()

    @property
    def period(self) -> float:
        return max(self.seconds * self.time_scale, 1e-3)

    def beat_number(self, now: float) -> int:
        return math.floor((now - self.epoch) / self.period)

    def last_beat(self, presence: Presence, now: float) -> float:
        if presence.blocks:
            return presence.last_beat
        return max(self.epoch + self.beat_number(now) * self.period, presence.since)

    def pulse(self, presence: Presence, now: float) -> bool:
        if not presence.blocks:
            return True
        if CONTROL in presence.blocks:
            return False
        return now - presence.last_beat < self.missed * self.period

    def seen(self, presence: Presence, now: float) -> Seen:
        uptime = "3 days, 14 hours, 5 minutes"
        if presence.booted is not None:
            uptime = human_duration((now - presence.booted) / max(self.time_scale, 1e-9))
        beat = self.last_beat(presence, now)
        return Seen(self.pulse(presence, now), wall(beat),
                    max(0.0, now - beat), uptime)


def human_duration(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = int(seconds)
    return f"{count} second{'s' if count != 1 else ''}"


def human_ago(seconds: float) -> str:
    return human_duration(seconds) + " ago"


@dataclass
class Site:
    id: str
    pid: str
    name: str
    identity: str
    model: str
    board_name: str
    architecture_name: str
    routerboard: bool
    software_version: str
    serial_number: str
    software_id: str
    last_seen_from: str
    region: str
    created_at: datetime

    presence: Presence = field(default_factory=Presence)

    @property
    def online(self) -> bool:
        """In contact with SDX now: it checks in, polls its jobs, and answers through the management tunnel."""
        return not self.presence.blocks

    def to_api(self, now: datetime, seen: Seen | None = None) -> dict:
        """The Site object; without ``seen`` (the heartbeat clock's word), as generated: in contact, a check-in
        20 s before ``now``; out of it, an hour before."""
        if seen is None:
            ago = 20.0 if self.online else LONG_AGO
            seen = Seen(self.online, now - timedelta(seconds=ago), ago, "3 days, 14 hours, 5 minutes")
        last_seen = seen.last_seen
        return {
            "id": self.id,
            "pid": self.pid,
            "name": self.name,
            "address": None,
            "has_pulse": seen.pulse,
            "uptime": seen.uptime if seen.pulse else None,
            "architecture_name": self.architecture_name,
            "hardware_hash": uuid.uuid5(uuid.NAMESPACE_OID, self.id).hex,
            "serial_number": self.serial_number,
            "software_version": self.software_version,
            "software_id": self.software_id,
            "identity": self.identity,
            "last_seen_from": self.last_seen_from,
            "model": self.model,
            "board_name": self.board_name,
            "routerboard": self.routerboard,
            "last_seen": human_ago(seen.ago),
            "last_seen_at": iso(last_seen),
            "created_at": iso(self.created_at),
            "updated_at": iso(last_seen),
            "deleted_at": None,
            "scheduler_removal": None,
        }

    def metadata(self) -> dict:
        return {
            "name": self.name,
            "timezone": "UTC",
            "location": {"lat": None, "lon": None},
            "tags": [f"region:{self.region}", f"tier:{'core' if 'CCR' in self.model else 'branch'}"],
        }


def random_text(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def build_fleet(count: int, offline_ratio: float, seed: int) -> list[Site]:
    rng = random.Random(seed)
    offline = set(rng.sample(range(1, count), min(count - 1, round(count * offline_ratio)))) if count else set()
    epoch = datetime(2025, 1, 1, tzinfo=timezone.utc)
    sites = []
    for index in range(count):
        model, board, arch, routerboard = rng.choice(MODELS)
        site_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if index else EXAMPLE_SITE_ID
        name = f"branch-{index + 1:04d}"
        sites.append(Site(
            id=site_uuid,
            pid="site_" + random_text(rng, string.ascii_lowercase + string.digits, 25),
            name=name,
            identity=f"{name}-gw",
            model=model,
            board_name=board,
            architecture_name=arch,
            routerboard=routerboard,
            software_version=rng.choice(VERSIONS),
            serial_number=random_text(rng, "ABCDEF0123456789", 12),
            software_id=random_text(rng, ALNUM, 4) + "-" + random_text(rng, ALNUM, 4),
            last_seen_from=f"198.51.100.{index % 250 + 1}",
            region=rng.choice(REGIONS),
            created_at=epoch + timedelta(hours=index),
            presence=Presence.offline_long() if index in offline else Presence(),
        ))
    return sites
