"""Heavy libraries imported when first used, not when the app loads.

Every Django process (web worker, job worker, ``manage.py`` command) loads every app, and app
loading imports the modules that register jobs and checklist steps. Libraries such as pyarrow
cost tens of megabytes and a good part of a second each; most processes never touch them.
``lazy("pyarrow")`` stands in for the module and imports it on the first attribute read.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A stand-in for a module, imported on first attribute access.

    Each attribute read is kept on the stand-in, so that later reads of it (``np.zeros`` in a
    loop) cost a plain attribute lookup, not a call of ``__getattr__``. Module attributes
    read this way (functions, classes, constants) are not rebound by the modules themselves.
    """

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name
        self.__dict__["_lazy_module"] = None

    def __getattr__(self, attribute: str) -> Any:
        module = self.__dict__["_lazy_module"]
        if module is None:
            module = self.__dict__["_lazy_module"] = importlib.import_module(
                self.__dict__["_lazy_name"]
            )
        value = getattr(module, attribute)
        self.__dict__[attribute] = value
        return value

    def __setattr__(self, attribute: str, value: Any) -> None:
        raise AttributeError(f"{self._lazy_name} is read-only through its lazy stand-in")

    def __repr__(self) -> str:
        state = "loaded" if self.__dict__["_lazy_module"] is not None else "not loaded yet"
        return f"<lazy module {self.__dict__['_lazy_name']!r} ({state})>"


def lazy(name: str) -> Any:
    """The module ``name``, imported when an attribute of it is first read."""
    return LazyModule(name)
