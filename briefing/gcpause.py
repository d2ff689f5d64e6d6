"""Keep Python's cyclic garbage collector off the objects a stage builds.

A large dossier is hundreds of thousands of long-lived objects, and parsing
its brief makes a token for every run of words; none of them form cycles.
Left on, the collector walks every live object again and again as they
accumulate: on 20,000 facts that costs about as much as the work itself.
Reference counting still frees whatever is dropped while the collector is held.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No collection inside the block; the collector's state is restored after.

    Then every object the collector tracks is frozen (`gc.freeze`): what the
    block made, and all that came before. Otherwise the first collection after
    the block walks all of it at once, a tenth of a second on 20,000 facts.
    Reference counting still frees a frozen object, but not one in a cycle: the
    stages that make cycles run in `frozen_gc`, which collects the cycles they
    leave before anything is frozen again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


_survivors_frozen = False  # whether `freeze_survivors` ran in the current `frozen_gc` block


@contextmanager
def frozen_gc() -> Iterator[None]:
    """The collector leaves alone the objects that exist when the block starts
    and still collects the cycles made inside it. Rendering makes some cycles
    (reportlab's page layout and python-docx's parts do), so holding the
    collector there would keep them all until the end: this is as fast,
    without that memory.

    At the end, the cycles the block made and dropped are collected, so that no
    later freeze keeps them: only the block's own objects are walked, unless
    `freeze_survivors` froze some of them, which then costs one full collection.
    So that a renderer's objects are garbage by then, they belong to a function
    called inside the block."""
    global _survivors_frozen
    gc.freeze()
    try:
        yield
    finally:
        if _survivors_frozen:
            gc.unfreeze()
            gc.collect()
            _survivors_frozen = False
        else:
            gc.collect()
            gc.unfreeze()


def freeze_survivors() -> None:
    """Inside `frozen_gc`, for a long stage that keeps most of what it makes:
    collect what the young generations hold, then freeze what survived, so that
    later collections do not walk it again and again (a 4,000-page PDF spent a
    tenth of its time there). Cycles left in the oldest generation wait for the
    end of the block."""
    global _survivors_frozen
    gc.collect(1)
    gc.freeze()
    _survivors_frozen = True
