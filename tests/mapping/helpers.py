"""Small helpers for step-2 tests: write files in code, run an import for a party."""

from __future__ import annotations

from pathlib import Path

from samverkan.mapping.importers import importer_for, run_import


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(kind: str, party, path: Path, **kwargs):
    return run_import(importer_for(kind, party), path, **kwargs)
