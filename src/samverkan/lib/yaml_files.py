"""Reading the project's own YAML files (the demo's scenario, places and mapping data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when the installed PyYAML has it: about ten times faster on the demo's
# files, which every `make run` and many tests read.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The YAML document in ``path`` (UTF-8), read with a safe loader."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader
