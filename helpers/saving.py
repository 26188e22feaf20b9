"""Write files all or nothing: the one place the lesson's machinery does it.

    with atomic_output("search_results.json", overwrite=True) as path:
        items.save_object(path)

The writer writes to a hidden temporary file next to the target (``.<name>.<random>.partial``
plus the target's suffix, so libraries still recognise the format); only when it finishes
without error is the file renamed to its final name. A crash or an error half-way leaves the
previous file as it was and no partial file under the final name. ``atomic_path`` is that
primitive (the offline server's pixels, the mirror, the catalog use it); ``atomic_output`` adds
the checks a learner-facing save needs (no accidental overwrite, a folder that exists and is
writable), each with a message that says what to do.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LessonError

#: What every temporary file's name holds, so a later run can find and delete leftovers.
PARTIAL_MARK = ".partial"


class OutputPathError(LessonError, OSError):
    """An output file cannot be written where the learner asked."""


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
            raise OutputPathError(f"Nothing was written for {final}: the save step made no file.")
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def atomic_output(target: str | os.PathLike[str], overwrite: bool = False) -> Iterator[str]:
    """Yield a temporary path to write to; move it to ``target`` when the block succeeds.

    Raises ``OutputPathError`` before anything is written when ``target`` exists and
    ``overwrite`` is false, or when its folder is missing or not writable.
    """
    final = Path(target)
    folder = final.parent if str(final.parent) else Path(".")
    if final.exists() and not overwrite:
        raise OutputPathError(
            f"{final} already exists. Pass overwrite=True to replace it, or choose another name."
        )
    if not folder.is_dir():
        raise OutputPathError(
            f"Cannot save {final}: the folder {folder} does not exist. Create it first "
            f"(Path({str(folder)!r}).mkdir(parents=True)) or save somewhere else."
        )
    if not os.access(folder, os.W_OK):
        raise OutputPathError(
            f"Cannot save {final}: the folder {folder.resolve()} is not writable. Save in your "
            "own folder, for example next to the notebook."
        )
    for leftover in leftovers(folder, final.name):
        leftover.unlink(missing_ok=True)  # from a save that crashed before it could clean up
    with atomic_path(final) as temporary:
        yield str(temporary)
