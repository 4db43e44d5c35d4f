"""``/system reboot`` and binary backups (``/system backup save|load``), from the RouterOS manual (System > Backup).

``save name=X`` writes the whole configuration to the file ``X.backup`` (listed in ``/file``, ``type=backup``),
encrypted with ``password`` unless ``dont-encrypt=yes``. ``load name=X.backup`` restores it and reboots the
router; the files on its disk stay as they are. A reboot stops the script that asked for it: nothing after the
line runs, and the router is down for a while (the simulator's ``Routers`` boots it again).
"""

from __future__ import annotations

from .router import Router
from .schema import BY_PATH
from .syntax import ScriptError, split_assignment, unquote

COMMANDS = {("system", "reboot"), ("system", "backup", "save"), ("system", "backup", "load")}
FILES = BY_PATH["/file"]
_PARAMETERS = {"save": {"name", "password", "dont-encrypt", "encryption"}, "load": {"name", "password"},
               "reboot": set()}


class Reboot(Exception):
    """The script asked the router to reboot: it stops at this line."""


def run_system(router: Router, path: tuple[str, ...], args: list[str]) -> None:
    verb = path[-1]
    named: dict[str, str] = {}
    for word in args:
        assignment = split_assignment(word)
        if assignment is None or assignment[0] not in _PARAMETERS[verb]:
            raise ScriptError(f"unknown parameter {word.split('=')[0]} of {' '.join(path)}")
        named[assignment[0]] = unquote(assignment[1])
    if verb == "save":
        _save(router, named)
        return
    if verb == "load":
        _load(router, named)
    raise Reboot()


def _file_name(name: str) -> str:
    return name if name.endswith(".backup") else name + ".backup"


def _save(router: Router, named: dict[str, str]) -> None:
    name = _file_name(named.get("name") or str(router.value(BY_PATH["/system identity"], None, "name")))
    encrypted = named.get("dont-encrypt", "no") not in ("yes", "true")
    router.backups[name] = (router.configuration(), named.get("password", "") if encrypted else None)
    for entry in [entry for entry in router.entries(FILES.path) if entry.values.get("name") == name]:
        router.remove(FILES, entry)  # saving again overwrites the file
    entry = router.add(FILES, {"name": name})
    entry.fixed.update({"type": "backup", "size": f"{20 + len(router.entries(FILES.path))}.0KiB"})


def _load(router: Router, named: dict[str, str]) -> None:
    if "name" not in named:
        raise ScriptError("failure: name not specified")
    name = named["name"]
    listed = {str(entry.values.get("name")) for entry in router.entries(FILES.path)}
    found = next((candidate for candidate in (name, _file_name(name)) if candidate in listed), None)
    if found is None or found not in router.backups:
        raise ScriptError(f"failure: no such backup file {name}")
    configuration, password = router.backups[found]
    if password is not None and named.get("password", "") != password:
        raise ScriptError("failure: wrong password")
    router.restore(configuration)
