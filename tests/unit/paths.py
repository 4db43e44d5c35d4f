"""Where the collection is imported from, in a checkout (``make venv``) and in the tree ``ansible-test`` runs in."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = ("ansible_collections", "altostrat", "sdx")


def collections_root() -> Path:
    """The directory that holds ``ansible_collections/altostrat/sdx`` for this checkout.

    ansible-test runs in a tree that already sits at ``.../ansible_collections/altostrat/sdx``; a plain checkout
    has ``build/src/ansible_collections/altostrat/sdx``, a link to itself made by ``make venv``.
    """
    if ROOT.parts[-3:] == COLLECTION:
        return ROOT.parents[2]
    return ROOT / "build" / "src"


def collection_path() -> Path:
    """This collection as Ansible finds it, under ``collections_root()``."""
    return collections_root().joinpath(*COLLECTION)
