"""Print the version of a package that uv.lock pins, with the standard library only.

    python tools/locked_version.py uv

The workflows install uv itself at the lock's version (before any environment exists), so that
nothing they download is unpinned.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

LOCK = Path(__file__).resolve().parents[1] / "uv.lock"


def locked_version(package: str, lock: Path = LOCK) -> str:
    """The version ``lock`` pins for ``package``; SystemExit with a message if it pins none."""
    with lock.open("rb") as file:
        packages = tomllib.load(file).get("package", [])
    versions = {entry["version"] for entry in packages if entry.get("name") == package}
    if len(versions) != 1:
        raise SystemExit(f"{lock.name} pins {sorted(versions) or 'no version'} of {package!r}.")
    return versions.pop()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/locked_version.py PACKAGE")
    print(locked_version(sys.argv[1]))
