"""How wide each column of a table is, the same way in every format."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..document import Inline, plain_text, unbreakable_pieces


def share_widths(rows: Sequence[Sequence[tuple[Inline, ...]]], columns: int, width: float,
                 measure: Callable[[str], float]) -> list[float]:
    """Share `width` by how much text each column holds, but never narrower
    than the column's longest unbreakable piece (`measure` gives its width,
    padding included), so no word breaks inside a column ("Publish|ed",
    "intergo|uvernementale"); a piece wider than two fifths of the table (a
    long URL) is broken instead, and the columns above their floor give back
    what the floors take, so the table fits."""
    widest = width * max(1 / columns, 0.4)
    lengths = [1] * columns
    floors = [0.0] * columns
    for row in rows:
        for index, cell in enumerate(row[:columns]):
            text = plain_text(cell)
            lengths[index] = max(lengths[index], min(len(text), 60) + 6)
            longest = max(unbreakable_pieces(text), key=len, default="")
            floors[index] = max(floors[index], min(measure(longest), widest))
    shares = [width * length / sum(lengths) for length in lengths]
    widths = [max(share, floor) for share, floor in zip(shares, floors)]
    excess = sum(widths) - width
    flexible = sum(w - f for w, f in zip(widths, floors) if w > f)
    if excess > 0 and flexible > 0:
        widths = [w - excess * (w - f) / flexible if w > f else w for w, f in zip(widths, floors)]
    return widths
