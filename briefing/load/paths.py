"""Paths that come from a dossier, kept inside it.

A dossier is someone else's input: a `file:` that climbs out (`../../`), an
absolute path, or a link inside the dossier that leads elsewhere would let it
show the contents of any file this process can read. Every path a dossier
names is resolved here, links followed, and must lie inside the dossier and be
a regular file of a sensible size (a FIFO would hang the read, a device grow
without end).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import BriefingError

MAX_FILE_BYTES = 64_000_000  # an article, a fact file, a template: text, not an archive


def resolve_inside(root: Path, path: Path, what: str, file: str | Path | None = None,
                   line: int | None = None, missing: str | None = None) -> Path:
    """`path` with every link followed, when it is a regular file inside the
    folder `root`; else one error. `what` names the field or the file for the
    user ("'file': 'texts/a.txt'", "the fact file"); the error is placed at
    `file`:`line`, or at `path` itself. `missing` is the message for a file
    that does not exist. Whether a file outside exists is never said."""
    place = (file, line) if file is not None else (path, None)
    try:
        real = path.resolve()
        if not is_inside(real, root):
            raise BriefingError(f"{what} lies outside the dossier (links are followed); keep it inside the dossier folder",
                                *place)
        info = os.stat(real)
    except FileNotFoundError:
        raise BriefingError(missing or f"{what} is not found", *place) from None
    except ValueError:  # a null byte, which no path can hold
        raise BriefingError(f"{what} holds a null byte, which no file name can hold", *place) from None
    except (OSError, RuntimeError) as error:  # a loop of links, no permission
        reason = getattr(error, "strerror", None) or "a loop of links"
        raise BriefingError(f"{what} cannot be read: {reason.lower()}", *place) from None
    if not stat.S_ISREG(info.st_mode):
        raise BriefingError(f"{what} is not a regular file", *place)
    if info.st_size > MAX_FILE_BYTES:
        raise BriefingError(f"{what} is larger than {MAX_FILE_BYTES // 1_000_000} MB", *place)
    return real


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path` (resolved) is `root` or lies below it, links followed in both."""
    return path.resolve().is_relative_to(root.resolve())


def folder_inside(root: Path, folder: Path, what: str) -> bool:
    """Whether the dossier's `folder` exists; an error when it leads outside `root`."""
    if not folder.is_dir():
        return False
    if not is_inside(folder, root):
        raise BriefingError(f"{what} lies outside the dossier (links are followed); keep it inside the dossier folder",
                            file=folder)
    return True
