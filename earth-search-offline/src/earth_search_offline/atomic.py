"""Write files all or nothing: the catalog, the pixel files and the mirror's copies.

``atomic_path(target)`` yields a hidden temporary path next to ``target``
(``.<name>.<random>.partial`` plus the target's suffix, so libraries still recognise the
format); only when the block finishes without error is the file renamed to its final name. A
crash or an error half-way leaves the previous file as it was and no partial file under the
final name; ``leftovers`` finds what a killed writer left.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: What every temporary file's name holds, so a later run can find and delete leftovers.
PARTIAL_MARK = ".partial"


class NothingWrittenError(OSError):
    """The block of ``atomic_path`` finished without making the file."""


def leftovers(folder: Path, name: str = "*") -> list[Path]:
    """Temporary files that a killed writer left in ``folder`` (for ``name``, or any)."""
    return sorted(folder.glob(f".{name}.*{PARTIAL_MARK}*"))


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` only on success.

    The folder is created if needed. The temporary file does not exist yet when the block
    starts (GDAL and other libraries want to create their files themselves).
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{final.name}.", suffix=PARTIAL_MARK + final.suffix, dir=final.parent
    )
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()
    try:
        yield temporary
        if not temporary.exists():
            raise NothingWrittenError(
                f"Nothing was written for {final}: the save step made no file."
            )
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
