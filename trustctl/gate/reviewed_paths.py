"""The files that make up the gate in a tree: those under the catalog's
`change_control.owners_review` paths (a trailing `/`: a directory), as repository-relative
paths. The policy-change comparison and the CODEOWNERS check both read them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# what a checkout or a bootstrap adds beside the tracked files
NOT_THE_REPOSITORY = frozenset({".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache",
                                ".mypy_cache", "node_modules"})


def files_under(root: Path, entry: str) -> Iterator[tuple[str, Path]]:
    """(repository-relative path, path) of every file (or link) that `entry` names in `root`."""
    target = root / entry.strip("/")
    if not target.is_dir() or target.is_symlink():
        if target.exists() or target.is_symlink():
            yield entry.strip("/"), target
        return
    for folder, dirs, names in os.walk(target):
        dirs[:] = sorted(d for d in dirs if d not in NOT_THE_REPOSITORY)
        for name in sorted(names):
            path = Path(folder, name)
            yield path.relative_to(root).as_posix(), path
