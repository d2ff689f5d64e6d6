"""How wide each column of a table is, and what a chronology's figure shows in words, the same way in every format."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..document import Inline, Table, fold_spaces, plain_text, unbreakable_pieces

WHOLE_TABLE = 3  # rows: a table this short (the accords, one row an accord) is never broken across pages
FIRST_ROWS = 3  # a long table that breaks across pages starts with its header and at least this many rows


def first_rows(body_rows: int) -> int:
    """How many rows a table that breaks keeps with its header: `FIRST_ROWS` of a long
    one; two of one of four or five rows, so that no row stands alone at the foot of
    a page (its last two rows keep together too); one of a shorter one, which would
    else never break, whatever blank it leaves."""
    if body_rows >= FIRST_ROWS + 3:
        return FIRST_ROWS
    return 2 if body_rows >= 4 else 1


def share_widths(rows: Sequence[Sequence[tuple[Inline, ...]]], columns: int, width: float,
                 measure: Callable[[str], float]) -> list[float]:
    """Share `width` among the columns so that the rows are short: a column's
    share grows with the square root of its longest cell, which makes the sum
    of the rows' heights least, and a column whose cells all fit on one line in
    less than its share is as wide as that line. No column is narrower than its
    longest unbreakable piece (`measure` gives its width, padding included), so
    no word breaks inside a column ("Publish|ed", "intergo|uvernementale"); a
    piece wider than two fifths of the table (a long URL) is broken instead, and
    the columns above their floor give back what the floors take, so the table fits."""
    widest = width * max(1 / columns, 0.4)
    lines = [1.0] * columns  # each column's longest cell, set on one line
    floors = [0.0] * columns
    for row in rows:
        for index, cell in enumerate(row[:columns]):
            text = plain_text(cell)
            lines[index] = max(lines[index], measure(text))
            longest = max(unbreakable_pieces(text), key=len, default="")
            floors[index] = max(floors[index], min(measure(longest), widest))
    widths = _fill(lines, width)
    widths = [max(share, floor) for share, floor in zip(widths, floors)]
    excess = sum(widths) - width
    flexible = sum(w - f for w, f in zip(widths, floors) if w > f)
    if excess > 0 and flexible > 0:
        widths = [w - excess * (w - f) / flexible if w > f else w for w, f in zip(widths, floors)]
    return widths


def _fill(lines: list[float], width: float) -> list[float]:
    """`width` shared by the square roots of `lines`, no column wider than its `line`;
    when every column fits on its line, what is left is spread evenly."""
    settled: dict[int, float] = {}
    while True:
        open_columns = [index for index in range(len(lines)) if index not in settled]
        left = width - sum(settled.values())
        if not open_columns:
            return [lines[index] + left / len(lines) for index in range(len(lines))]
        weight = sum(lines[index] ** 0.5 for index in open_columns)
        shares = {index: left * lines[index] ** 0.5 / weight for index in open_columns}
        narrow = {index: lines[index] for index in open_columns if lines[index] <= shares[index]}
        if not narrow:
            return [settled.get(index, shares.get(index, 0.0)) for index in range(len(lines))]
        settled.update(narrow)


def events_description(block: Table, colon: str) -> str:
    """The events of a timeline table in order, in words ("2020: First coup; …"):
    what the figure shows, for a reader who cannot see it."""
    events = [row for row in block.rows if len(row) >= 2]
    return "; ".join(f"{fold_spaces(plain_text(row[0]))}{colon}{fold_spaces(plain_text(row[1]))}" for row in events) + "."
