"""Save a learner's file all or nothing, with the checks a save in a notebook needs.

    with atomic_output("search_results.json", overwrite=True) as path:
        items.save_object(path)

The file is written under a hidden temporary name next to the target and renamed only when the
block finishes without error (``earth_search_offline.atomic``, which the offline catalog and its
mirror also write with): a crash half-way leaves the previous file as it was. Before anything is
written, ``atomic_output`` refuses an accidental overwrite and a folder that is missing or not
writable, each with a message that says what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from earth_search_offline.atomic import NothingWrittenError, atomic_path, leftovers

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
    for leftover in leftovers(folder, final.name):
        leftover.unlink(missing_ok=True)  # from a save that crashed before it could clean up
    try:
        with atomic_path(final) as temporary:
            yield str(temporary)
    except NothingWrittenError as error:
        raise OutputPathError(str(error)) from None
