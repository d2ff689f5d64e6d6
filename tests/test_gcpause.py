"""Keeping the cyclic collector off what the stages build, without losing cycles."""

import gc
import weakref

from briefing.gcpause import freeze_survivors, frozen_gc, paused_gc


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_a_paused_block_freezes_what_it_kept():
    gc.unfreeze()
    try:
        with paused_gc():
            kept = [[] for _ in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= 1000
        collected = {id(thing) for thing in gc.get_objects()}
        assert not any(id(item) in collected for item in kept)
    finally:
        gc.unfreeze()


def test_survivors_frozen_mid_render_are_walked_again_after_it_and_cycles_are_freed():
    gc.unfreeze()
    with frozen_gc():
        drawn = [[] for _ in range(1000)]  # what a page keeps
        dropped = weakref.ref(Node())  # a cycle that is garbage at once
        freeze_survivors()
        assert dropped() is None  # the young generations were collected first
        assert gc.get_freeze_count() >= 1000
        late = Node()
        late_ref = weakref.ref(late)
        freeze_survivors()
        del late  # garbage once frozen: waits for the end of the block
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert late_ref() is None and len(drawn) == 1000


def _alive(kind) -> int:
    """How many objects of `kind` the collector knows of, frozen ones included."""
    gc.unfreeze()
    return sum(isinstance(thing, kind) for thing in gc.get_objects())


def test_a_render_leaves_no_cycles_for_a_later_freeze_to_keep(tmp_path, monkeypatch):
    """python-docx's parts and reportlab's layout make cycles; after a render
    they must be gone, not frozen by the next stage and kept for good."""
    import docx.package
    from reportlab.pdfgen.canvas import Canvas

    from briefing.build import build_briefs
    from briefing.render import pdf
    from conftest import make_dossier

    root = make_dossier(tmp_path / "dossier")
    monkeypatch.setattr(pdf, "SURVIVORS_EVERY", 1)  # survivors frozen on every page as well
    gc.collect()
    before = _alive(docx.package.Package), _alive(Canvas)
    for _ in range(2):
        build_briefs(root, ("analyst",), ("docx", "pdf"), tmp_path / "out", parallel=False)
        with paused_gc():  # the next stage freezes whatever is left
            pass
    assert (_alive(docx.package.Package), _alive(Canvas)) == before
