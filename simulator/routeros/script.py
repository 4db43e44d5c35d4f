"""Run RouterOS scripts against a Router: menus and verbs, item references, ``[find ...]``, first error stops.

Lines of menus the model does not hold, and scripting commands (``:log``, ``:local``, ``:put``, ``:delay``,
``:if``...), run as doing nothing; ``:error`` stops the script with an error, and so does any line that carries
a ``:error`` word (``/system script run broken :error``), the simulator's way to write a failing script.
``/system reboot`` and ``/system backup load`` stop it too, without an error: the router reboots (``system.py``).
"""

from __future__ import annotations

import re

from .router import Entry, Router
from .schema import BY_PATH, Menu
from .syntax import ScriptError, split_assignment, split_commands, split_words, unquote
from .system import COMMANDS as SYSTEM_COMMANDS
from .system import Reboot, run_system
from .values import Value, as_text

VERBS = {"add", "set", "unset", "remove", "move", "enable", "disable", "print", "export", "find", "get",
         "comment", "edit", "reset-counters", "reset-counters-all"}
READ_VERBS = {"print", "export", "find", "get", "reset-counters", "reset-counters-all"}
_CONDITION = re.compile(r"^(?P<name>[a-z.][a-z0-9.-]*)(?P<op>!=|=|~)(?P<value>.*)$", re.S)


def run_script(router: Router, script: str) -> ScriptError | None:
    """Apply ``script``'s commands in order; the first error stops it, the lines before it stay applied."""
    context: list[str] = []
    try:
        commands = split_commands(script)
    except ScriptError as error:
        return error  # a script RouterOS cannot parse does not run at all
    for command in commands:
        try:
            context = run_command(router, command.text, context)
        except ScriptError as error:
            error.line = command.line
            return error
        except Reboot:
            router.rebooting = True
            return None
    return None


def _path_words(words: list[str]) -> tuple[list[str], list[str], bool]:
    """The leading words that name a menu (split at ``/`` too), the rest, and whether the path is absolute."""
    absolute = bool(words) and words[0].startswith("/")
    path: list[str] = []
    index = 0
    while index < len(words) and re.fullmatch(r"/?[a-z0-9-]+(?:/[a-z0-9-]*)*", words[index]):
        path.extend(part for part in words[index].split("/") if part)
        index += 1
    return path, words[index:], absolute


def _menu_of(full: list[str]) -> tuple[Menu | None, list[str]]:
    for cut in range(len(full), 0, -1):
        menu = BY_PATH.get("/" + " ".join(full[:cut]))
        if menu is not None:
            return menu, full[cut:]
    return None, full


def run_command(router: Router, text: str, context: list[str]) -> list[str]:
    """Run one command; answer the menu context for the next (a line naming only a menu changes it)."""
    words = split_words(text)
    if words[0] == ":error":
        raise ScriptError(unquote(words[1]) if len(words) > 1 else "error")
    if any(word.startswith(":error") for word in words[1:]):
        raise ScriptError("error")  # "/system script run broken :error": the simulator's failing line
    if words[0].startswith(":"):
        return context
    path, args, absolute = _path_words(words)
    full = path if absolute else context + path
    if tuple(full) in SYSTEM_COMMANDS:
        run_system(router, tuple(full), args)
        return context
    menu, rest = _menu_of(full)
    if not args and not VERBS.intersection(rest):
        return full  # "/ip address": the menu the following lines run in
    if menu is None or not rest or rest[0] not in VERBS:
        return context  # a menu or command the model does not hold: accepted, does nothing
    Verb(router, menu, rest[0], rest[1:], args).run()
    return context


class Verb:
    """One command on one menu, its arguments parsed against the menu's properties."""

    def __init__(self, router: Router, menu: Menu, verb: str, positional: list[str], args: list[str]) -> None:
        self.router, self.menu, self.verb = router, menu, verb
        self.positional = list(positional)
        self.named: dict[str, str] = {}
        for word in args:
            assignment = split_assignment(word)
            if assignment is None:
                self.positional.append(word)
            elif assignment[0] in self.named:
                raise ScriptError(f"{assignment[0]} given twice")
            else:
                self.named[assignment[0]] = assignment[1]

    def run(self) -> None:
        if self.verb in READ_VERBS:
            return
        getattr(self, "do_" + self.verb.replace("-", "_"))()

    # -- arguments -----------------------------------------------------------------------------------
    def values(self, names: dict[str, str]) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for name, raw in names.items():
            prop = self.menu.props.get(name)
            if prop is None:
                raise ScriptError(f"unknown parameter {name} in {self.menu.path}")
            if prop.read_only:
                raise ScriptError(f"{name} is read-only in {self.menu.path}")
            out[name] = prop.parse(name, unquote(raw))
        return out

    def items(self, required: bool = True) -> list[Entry]:
        raw = self.named.pop("numbers", None)
        if raw is None and self.positional:
            raw = self.positional.pop(0)
        if raw is None:
            if required:
                raise ScriptError(f"{self.verb} needs the items it works on (numbers)")
            return []
        return self.resolve(raw)

    def resolve(self, raw: str) -> list[Entry]:
        if raw.startswith("["):
            return self.find(raw)
        found = []
        for ref in unquote(raw).split(","):
            entry = self.by_ref(ref)
            if entry is None:
                raise ScriptError(f"no such item ({ref})")
            found.append(entry)
        return found

    def by_ref(self, ref: str) -> Entry | None:
        table = self.router.entries(self.menu.path)
        if re.fullmatch(r"\*[0-9A-Fa-f]+", ref):
            return next((entry for entry in table if entry.id == int(ref[1:], 16)), None)
        for key in ("name", "default-name"):
            if key in self.menu.props:
                match = next((entry for entry in table if self.router.value(self.menu, entry, key) == ref), None)
                if match is not None:
                    return match
        return None

    def find(self, raw: str) -> list[Entry]:
        """``[find]``, ``[find k=v]``, ``[find where k=v and k2!=v2 or !flag]``: the matching entries."""
        words = split_words(raw[1:-1].strip()) if raw.endswith("]") else []
        cut = next((index for index, word in enumerate(words) if word == "find" or word.endswith("/find")), None)
        if cut is None:
            raise ScriptError(f"only [find ...] is modelled inside brackets: {raw}")
        path, conditions = _path_words(words[:cut + 1])[0][:-1], words[cut + 1:]
        if path and "/" + " ".join(path) != self.menu.path:
            raise ScriptError(f"[find] of another menu in {self.menu.path}: {raw}")
        if conditions[:1] == ["where"]:
            conditions = conditions[1:]
        alternatives: list[list[str]] = [[]]
        for word in conditions:
            if word == "or":
                alternatives.append([])
            elif word != "and":
                alternatives[-1].append(word)
        return [entry for entry in self.router.entries(self.menu.path)
                if any(all(self.holds(entry, word) for word in terms) for terms in alternatives)]

    def holds(self, entry: Entry, word: str) -> bool:
        negate = word.startswith("!")
        word = word[1:] if negate else word
        match = _CONDITION.match(word)
        if match is None:
            result = self.lookup(entry, word) in (True, "true", "yes")
        else:
            name, op, wanted = match["name"], match["op"], unquote(match["value"])
            actual = self.lookup(entry, name)
            if op == "~":
                result = re.search(wanted, as_text(actual) if actual is not None else "") is not None
            else:
                result = (actual is not None and as_text(actual) == self.normal(name, wanted)) == (op == "=")
        return result != negate

    def lookup(self, entry: Entry, name: str) -> Value | None:
        if name == ".id":
            return entry.ref
        if name in self.menu.props:
            return self.router.value(self.menu, entry, name)
        if name in entry.fixed or name in ("dynamic", "default", "builtin", "disabled", "invalid"):
            return bool(entry.fixed.get(name, False))
        raise ScriptError(f"unknown property {name} in [find] of {self.menu.path}")

    def normal(self, name: str, wanted: str) -> str:
        prop = self.menu.props.get(name)
        if wanted in ("yes", "no") and (prop is None or prop.kind == "bool"):
            return "true" if wanted == "yes" else "false"
        try:
            return as_text(prop.parse(name, wanted)) if prop is not None else wanted
        except ScriptError:
            return wanted

    def done(self) -> None:
        if self.positional:
            raise ScriptError(f"unexpected {self.positional[0]} after {self.verb} in {self.menu.path}")

    # -- verbs ---------------------------------------------------------------------------------------
    def do_add(self) -> None:
        if self.menu.kind != "table":
            raise ScriptError(f"bad command name add in {self.menu.path}")
        place = self.named.pop("place-before", None)
        before = self.resolve(place)[0] if place is not None else None
        if place is not None and not self.menu.ordered:
            raise ScriptError(f"unknown parameter place-before in {self.menu.path}")
        self.done()
        self.router.add(self.menu, self.values(self.named), before)

    def do_set(self) -> None:
        targets = [None] if self.menu.kind == "single" else self.items()
        self.done()
        values = self.values(self.named)
        for entry in targets:
            self.router.set(self.menu, entry, values)

    def do_comment(self) -> None:
        self.do_set()

    def do_edit(self) -> None:
        raise ScriptError("edit needs an interactive terminal")

    def do_unset(self) -> None:
        targets = [None] if self.menu.kind == "single" else self.items()
        names = unquote(self.named.pop("value-name", "")).split(",")
        self.done()
        unknown = [name for name in names if name not in self.menu.props or self.menu.props[name].read_only]
        if unknown or self.named:
            raise ScriptError(f"unset needs value-name=<property> of {self.menu.path}")
        for entry in targets:
            self.router.unset(self.menu, entry, names)

    def do_remove(self) -> None:
        if self.menu.kind == "single":
            raise ScriptError(f"bad command name remove in {self.menu.path}")
        targets = self.items()
        self.done()
        if self.named:
            raise ScriptError(f"unknown parameter {next(iter(self.named))} of remove")
        for entry in targets:
            self.router.remove(self.menu, entry)

    def do_move(self) -> None:
        if not self.menu.ordered:
            raise ScriptError(f"bad command name move in {self.menu.path}")
        moving = self.items()
        raw = self.named.pop("destination", None)
        if raw is None and self.positional:
            raw = self.positional.pop(0)
        self.done()
        if self.named:
            raise ScriptError(f"unknown parameter {next(iter(self.named))} of move")
        destination = self.resolve(raw) if raw is not None else []
        self.router.move(self.menu, moving, destination[0] if destination else None)

    def _toggle(self, disabled: bool) -> None:
        if "disabled" not in self.menu.props or self.menu.kind == "single":
            raise ScriptError(f"bad command name {self.verb} in {self.menu.path}")
        targets = self.items()
        self.done()
        for entry in targets:
            self.router.set(self.menu, entry, {"disabled": disabled})

    def do_enable(self) -> None:
        self._toggle(False)

    def do_disable(self) -> None:
        self._toggle(True)
