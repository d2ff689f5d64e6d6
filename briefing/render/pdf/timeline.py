"""The chronology as a figure: dated events as markers on a horizontal axis.

The events are placed in the order the table gives them (its rows are in date
order), evenly spaced: the dates are texts ("2020", "August 2022", "22 June
2025") and events cluster, so the axis is ordinal, not to scale; the caption
says so. Each marker carries its date (bold) and its event, wrapped small,
alternately above and below the axis, so that two labels on one side are two
steps apart and never overlap. More events than a row holds go on further rows,
as many a row as keeps each label at least as wide as its date.

The figure is one flowable: platypus never splits it, it moves whole to the
next page. Black on white, the meaning carried by position and text alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph

PER_ROW = 12  # events on one axis at most
GAP = 6.0  # between two labels on one side of the axis
WIDEST = 130.0  # a label's width at most, when there is room for more
STEM = 7.0  # from the axis to the nearest line of a label
ROW_GAP = 14.0  # between the rows of a long chronology
CAPTION_GAP = 8.0  # under the caption
RADIUS = 2.4  # a marker's
AXIS = colors.black
STEMS = colors.Color(0.35, 0.35, 0.35)


@dataclass
class _Label:
    date: Paragraph
    event: Paragraph
    height: float = 0.0


def label_width(per_row: int, width: float) -> float:
    """The width of a label when `per_row` events share `width`: the labels of one
    side, every other event, are then side by side with `GAP` between them."""
    return min(WIDEST, 2 * (width + GAP) / (per_row + 1) - GAP)


class TimelineFigure(Flowable):
    """A caption, then rows of an axis with the events as markers, each labelled
    with its date and its event (`labels`: one (date, event) pair of paragraphs
    an event, in order)."""

    def __init__(self, caption: Paragraph, labels: list[tuple[Paragraph, Paragraph]], date_width: float):
        super().__init__()
        self.caption = caption
        self.labels = [_Label(date, event) for date, event in labels]
        self.date_width = date_width  # the widest date, which a label never breaks
        self.rows: list[list[_Label]] = []
        self.positions: list[float] = []
        self.width = self.height = 0.0
        self._wrapped_at: float | None = None

    def wrap(self, availWidth, availHeight):
        if self._wrapped_at != availWidth:
            self._lay_out(availWidth)
            self._wrapped_at = availWidth
        return self.width, self.height

    def _lay_out(self, width: float) -> None:
        count = len(self.labels)
        rows = ceil(count / PER_ROW)
        while rows < count and label_width(ceil(count / rows), width) < self.date_width:
            rows += 1
        per_row = max(ceil(count / rows), 2)
        wide = label_width(per_row, width)
        step = (width - wide) / (per_row - 1)
        self.positions = [wide / 2 + index * step for index in range(per_row)]
        self.rows = [self.labels[start:start + per_row] for start in range(0, count, per_row)]
        self.label_width = wide
        for label in self.labels:
            label.height = label.date.wrap(wide, 1e6)[1] + label.event.wrap(wide, 1e6)[1]
        self.caption_height = self.caption.wrap(width, 1e6)[1]
        self.width = width
        self.height = self.caption_height + CAPTION_GAP + sum(map(self._row_height, self.rows)) + ROW_GAP * (len(self.rows) - 1)

    @staticmethod
    def _sides(row: list[_Label]) -> tuple[float, float]:
        """How far a row reaches above its axis and below it."""
        above = max((label.height for label in row[0::2]), default=0.0)
        below = max((label.height for label in row[1::2]), default=0.0)
        return above + STEM, below + STEM

    def _row_height(self, row: list[_Label]) -> float:
        return sum(self._sides(row))

    def draw(self):
        canvas = self.canv
        top = self.height
        self.caption.drawOn(canvas, 0, top - self.caption_height)
        top -= self.caption_height + CAPTION_GAP
        for row in self.rows:
            above, below = self._sides(row)
            axis = top - above
            self._draw_axis(axis, self.positions[len(row) - 1] + self.label_width / 2)
            for index, (label, x) in enumerate(zip(row, self.positions)):
                self._draw_label(label, x, axis, up=index % 2 == 0)
            top = axis - below - ROW_GAP

    def _draw_axis(self, y: float, end: float) -> None:
        """The axis, ending in an arrowhead: time runs to the right."""
        canvas = self.canv
        canvas.setStrokeColor(AXIS)
        canvas.setFillColor(AXIS)
        canvas.setLineWidth(0.9)
        canvas.line(0, y, end - 4, y)
        arrow = canvas.beginPath()
        arrow.moveTo(end, y)
        arrow.lineTo(end - 6, y + 2.6)
        arrow.lineTo(end - 6, y - 2.6)
        arrow.close()
        canvas.drawPath(arrow, stroke=0, fill=1)

    def _draw_label(self, label: _Label, x: float, axis: float, up: bool) -> None:
        canvas = self.canv
        left = x - self.label_width / 2
        date_height = label.date.height
        canvas.setStrokeColor(STEMS)
        canvas.setLineWidth(0.5)
        if up:
            canvas.line(x, axis, x, axis + STEM - 1.5)
            bottom = axis + STEM
            label.event.drawOn(canvas, left, bottom)
            label.date.drawOn(canvas, left, bottom + label.event.height)
        else:
            canvas.line(x, axis, x, axis - STEM + 1.5)
            top = axis - STEM
            label.date.drawOn(canvas, left, top - date_height)
            label.event.drawOn(canvas, left, top - date_height - label.event.height)
        canvas.setFillColor(colors.white)
        canvas.setStrokeColor(AXIS)
        canvas.setLineWidth(0.9)
        canvas.circle(x, axis, RADIUS, stroke=1, fill=1)
        canvas.setFillColor(AXIS)
        canvas.circle(x, axis, RADIUS - 1.2, stroke=0, fill=1)
