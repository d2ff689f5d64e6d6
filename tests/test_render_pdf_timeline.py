"""The chronology as a figure in the PDF: read back with `pdftotext -bbox`.

A table marked `{.timeline}` is drawn twice: as a figure (an axis with the
events as markers, each labelled with its date and event) and, below it, as
the table that carries the citations. The figure's labels are found by the
words that belong to one event alone; a label's box is the union of its words.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from conftest import build_default, require
from lxml import etree

from briefing.document import Meta, NoteContent
from briefing.parse import parse_markdown
from briefing.render.pdf import render_pdf

NOTES = {"f": NoteContent("claim", "support", (), "short")}


def timeline_markdown(events: list[tuple[str, str]], marked: bool = True) -> str:
    rows = "".join(f"| {date} | {label}[^f] | Outlet |\n" for date, label in events)
    return "## Chronology\n\n" + ("{.timeline}\n" if marked else "") + "| Date | Event | Sources |\n|---|---|---|\n" + rows


def render(tmp_path: Path, markdown: str, name: str = "brief") -> Path:
    path = tmp_path / f"{name}.pdf"
    render_pdf(parse_markdown(markdown, Meta(title="Timeline test"), NOTES), path)
    return path


def words(pdf: Path) -> list[dict]:
    """Every word of the PDF with its page and box (points, y downwards)."""
    xml = subprocess.run([require("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    found = []
    for number, page in enumerate(root.iter("{*}page"), start=1):
        for word in page.iter("{*}word"):
            box = {key: float(word.get(key)) for key in ("xMin", "yMin", "xMax", "yMax")}
            found.append({"page": number, "text": word.text, **box})
    return found


def figure_words(pdf: Path) -> list[dict]:
    """The words between the figure's caption and the table's header row, on the caption's page."""
    every = words(pdf)
    caption = next(w for w in every if w["text"] == "Figure")
    page = [w for w in every if w["page"] == caption["page"]]
    header = [w for w in page if w["text"] == "Event" and w["yMin"] > caption["yMax"]]
    bottom = header[0]["yMin"] if header else float("inf")
    return [w for w in page if caption["yMax"] + 1 < w["yMin"] and w["yMax"] < bottom]


def label_boxes(found: list[dict], events: list[tuple[str, str]]) -> list[dict | None]:
    """Each event's box in the figure: the union of the words that belong to it alone."""
    vocabulary = [set(f"{date} {label}".split()) for date, label in events]
    counts = Counter(word for words_of in vocabulary for word in words_of)
    boxes: list[dict | None] = []
    for own in vocabulary:
        mine = [w for w in found if w["text"] in own and counts[w["text"]] == 1]
        boxes.append({"xMin": min(w["xMin"] for w in mine), "xMax": max(w["xMax"] for w in mine),
                      "yMin": min(w["yMin"] for w in mine), "yMax": max(w["yMax"] for w in mine),
                      "x": (min(w["xMin"] for w in mine) + max(w["xMax"] for w in mine)) / 2} if mine else None)
    return boxes


def overlap(a: dict, b: dict) -> bool:
    return a["xMin"] < b["xMax"] and b["xMin"] < a["xMax"] and a["yMin"] < b["yMax"] and b["yMin"] < a["yMax"]


def assert_reads_in_date_order(boxes: list[dict]) -> None:
    """Left to right along a row; a later row starts at the left, under the one before."""
    for before, after in zip(boxes, boxes[1:]):
        assert after["x"] > before["x"] or after["yMin"] > max(before["yMax"], before["yMin"]), (before, after)


def assert_apart(boxes: list[dict]) -> None:
    for index, box in enumerate(boxes):
        for other in boxes[index + 1:]:
            assert not overlap(box, other), (box, other)


def tagged_events(count: int, long: bool = False) -> list[tuple[str, str]]:
    """Events whose every word belongs to one event: its year, and words tagged with its number."""
    events = []
    for index in range(count):
        tag = f"e{index:02d}"
        words_of = [f"{tag}{suffix}" for suffix in ("alpha", "be", "gamma", "delta", "epsilonx", "zeta", "etaa", "th")]
        label = " ".join(words_of * 2 if long else words_of[: 2 + index % 4])
        events.append((f"June\u00a0{1990 + index}", label[:80]))
    return events


@pytest.mark.parametrize("count, long", [(2, False), (12, False), (12, True), (30, False), (30, True)])
def test_the_figure_draws_every_event_in_date_order_without_overlap_on_one_page(tmp_path, count, long):
    events = tagged_events(count, long)
    pdf = render(tmp_path, timeline_markdown(events))
    found = figure_words(pdf)
    boxes = label_boxes(found, events)
    assert all(boxes), [events[i] for i, box in enumerate(boxes) if box is None]  # every event on the caption's page
    assert_reads_in_date_order(boxes)
    assert_apart(boxes)
    assert min(w["yMax"] - w["yMin"] for w in found) >= 7  # legible at print size


def test_the_default_chronology_is_a_figure_above_its_table(tmp_path):
    out = build_default(tmp_path, ("pdf",))
    pdf = out / "analyst.pdf"
    found = figure_words(pdf)
    events = [("2020", "Coup d’état"), ("2021", "New coup d’état"), ("2021", "Wagner in Mali, as Clobechi dates its arrival"),
              ("August 2022", "French missions end"), ("December 2023", "MINUSMA ends"),
              ("April 2025", "First session of the Russian–Malian economic working group, Bamako"),
              ("May 2025", "Wagner withdrawal announced (APA’s date; the sources differ)"),
              ("June 2025", "First stone of the Sénou gold refinery, a week before the meeting"),
              ("22 June 2025", "Goïta arrives in Moscow"), ("23 June 2025", "Goïta received by Putin at the Kremlin")]
    boxes = label_boxes(found, events)
    assert all(boxes), [events[i] for i, box in enumerate(boxes) if box is None]
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)  # one row, left to right
    assert_apart(boxes)
    assert not any(w["text"].isdigit() and w["yMax"] - w["yMin"] < 6 for w in found)  # no citation numbers
    every = words(pdf)
    caption = next(w for w in every if w["text"] == "Figure")
    header = next(w for w in every if w["text"] == "Event" and w["page"] == caption["page"])
    assert header["yMin"] > max(w["yMax"] for w in found)  # the table follows the figure


def test_a_table_without_the_marker_has_no_figure(tmp_path):
    events = tagged_events(5)
    plain = words(render(tmp_path, timeline_markdown(events, marked=False), "plain"))
    assert not any(w["text"] == "Figure" for w in plain)
    assert sum(w["text"] == "e03alpha" for w in plain) == 1  # in the table alone
    marked = words(render(tmp_path, timeline_markdown(events), "marked"))
    assert sum(w["text"] == "e03alpha" for w in marked) == 2  # in the figure and in the table


def test_one_event_is_a_table_alone(tmp_path):
    assert not any(w["text"] == "Figure" for w in words(render(tmp_path, timeline_markdown(tagged_events(1)))))


def test_right_to_left_labels_are_drawn_in_their_place(tmp_path):
    """Hebrew and Arabic labels, and a Latin one whose second line starts with a
    Hebrew word: each piece in its own direction (rtl.py), the dates in order."""
    events = [("2023", "שלום עולם ראשון"), ("2024", "سلام عليكم ثاني والمزيد من الكلمات هنا"),
              ("2025", "Latin third event with Hebrew שלום inside")]
    found = figure_words(render(tmp_path, timeline_markdown(events)))
    years = {w["text"]: (w["xMin"] + w["xMax"]) / 2 for w in found if w["text"] in ("2023", "2024", "2025")}
    assert years["2023"] < years["2024"] < years["2025"]
    texts = {unicodedata.normalize("NFKC", w["text"]) for w in found}
    drawn = texts | {text[::-1] for text in texts}  # a right-to-left word's letters are drawn in visual order
    assert {"שלום", "עולם", "ראשון", "عليكم", "الكلمات"} <= drawn, texts
    assert {"Latin", "Hebrew", "inside"} <= texts and "edisni" not in texts, texts


def test_the_figure_is_kept_whole_on_the_next_page_when_the_page_is_nearly_full(tmp_path):
    filler = "".join(f"Paragraph {i} of filler text that takes a line or two of the page.\n\n" for i in range(38))
    events = tagged_events(30)
    pdf = render(tmp_path, filler + timeline_markdown(events))
    found = figure_words(pdf)
    assert all(label_boxes(found, events))  # every label on the caption's page
