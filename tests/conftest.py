"""What every test suite of the collection shares, whichever runner starts it (pytest or ansible-test)."""

from __future__ import annotations

MARKERS = (
    "main_line: run on the main ansible-core line only (version-independent client logic, and the AWX tooling of "
    "the main venv)",
)


def pytest_configure(config) -> None:
    # ansible-test runs pytest with its own configuration file (and --strict-markers), not pyproject.toml.
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
