"""Save outputs safely: all or nothing, never over a file by accident.

    with atomic_output("ndvi.tif", overwrite=True) as path:
        ndvi.rio.to_raster(path, driver="COG")

The library call writes to a temporary file next to the target; only when it finishes
without error is the file renamed to its final name. A crash or an error half-way leaves the
previous file as it was and no partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LessonError


class OutputPathError(LessonError, OSError):
    """An output file cannot be written where the learner asked."""


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
    for leftover in folder.glob(f".{final.name}.*{final.suffix}"):
        leftover.unlink(missing_ok=True)  # from a save that crashed before it could clean up
    handle, temporary = tempfile.mkstemp(prefix=f".{final.name}.", suffix=final.suffix, dir=folder)
    os.close(handle)
    os.unlink(temporary)  # libraries such as GDAL want to create the file themselves
    try:
        yield temporary
        if not os.path.exists(temporary):
            raise OutputPathError(f"Nothing was written for {final}: the save step made no file.")
        os.replace(temporary, final)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
