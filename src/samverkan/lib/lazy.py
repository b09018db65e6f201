"""Heavy libraries imported when first used, not when the app loads.

Every Django process (web worker, job worker, ``manage.py`` command) loads every app, and app
loading imports the modules that register jobs and checklist steps. Libraries such as pyarrow
cost tens of megabytes and a good part of a second each; most processes never touch them.
``lazy("pyarrow")`` stands in for the module and imports it on the first attribute read.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A stand-in for a module, imported on first attribute access."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy(name: str) -> Any:
    """The module ``name``, imported when an attribute of it is first read."""
    return LazyModule(name)
