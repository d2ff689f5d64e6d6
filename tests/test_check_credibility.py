"""Stage 2, credibility: a grade that matches its legend, computed from the
evidence; and, in the brief, a fact one source alone backs says so."""

from __future__ import annotations

from briefing.build import build_briefs
from briefing.check import check_dossier
from briefing.compose.context import build_context
from briefing.compose.language import language
from briefing.load import load_dossier
from conftest import ARTICLE, make_dossier
from readback import docx_paragraphs, flat, pdf_text

QUOTE = "Trois accords ont été signés"


def checked_facts(tmp_path, grades: dict[str, str], facts: list[dict], origins: dict[str, str] | None = None):
    texts = {source: ARTICLE for source in grades}
    sources = [{"id": source, "file": f"texts/{source}.txt", "reliability": grade, "name": f"Outlet {source}",
                **({"origin": origins[source]} if origins and source in origins else {})}
               for source, grade in grades.items()]
    root = make_dossier(tmp_path, texts=texts, sources=sources, facts=facts)
    return root, check_dossier(load_dossier(root))


def fact(fact_id: str, *sources: str, claim: str = "Three accords were signed.", **fields) -> dict:
    return {"id": fact_id, "section": "summary", "claim": claim,
            "evidence": [{"source": source, "quote": QUOTE} for source in sources], **fields}


def test_only_judged_independent_sources_confirm(tmp_path):
    _, checked = checked_facts(tmp_path, {"a": "B", "b": "C", "f": "F", "g": "F"}, [
        fact("two-judged", "a", "b"), fact("with-f", "a", "f"), fact("only-f", "f", "g")])
    graded = {f.id: (f.credibility, f.confirming_sources, f.independent_sources) for f in checked.facts}
    assert graded == {"two-judged": (1, 2, 2), "with-f": (2, 1, 2), "only-f": (6, 0, 2)}
    reasons = {f.id: f.reason for f in checked.facts}
    assert reasons["two-judged"] == "confirmed by 2 independent sources"
    assert reasons["with-f"] == "2 independent sources, of which 1 can be judged"


def test_a_shared_origin_counts_once(tmp_path):
    _, checked = checked_facts(tmp_path, {"a": "B", "b": "B"}, [fact("wire", "a", "b")], origins={"a": "afp", "b": "afp"})
    (wire,) = checked.facts
    assert (wire.independent_sources, wire.credibility, wire.reason) == (1, 2, "2 sources of one origin")


def test_passages_worded_alike_count_once_only_in_the_facts_that_quote_them(tmp_path):
    alike = {"source": "b", "quote": QUOTE, "origin": "shared-wording"}
    _, checked = checked_facts(tmp_path, {"a": "B", "b": "C", "c": "C"}, [
        {**fact("alike", "a", "b"), "evidence": [{"source": "a", "quote": QUOTE, "origin": "shared-wording"}, alike]},
        {**fact("with-a-third", "a", "b", "c"),
         "evidence": [{"source": "a", "quote": QUOTE, "origin": "shared-wording"}, alike, {"source": "c", "quote": QUOTE}]},
        fact("elsewhere", "a", "b"),
        {**fact("alike-and-more", "a", "b"),  # a source quoted beside the shared passage too is still tied to it
         "evidence": [{"source": "a", "quote": QUOTE, "origin": "shared-wording"}, alike, {"source": "a", "quote": "dont un sur l’énergie nucléaire"}]}])
    graded = {f.id: (f.independent_sources, f.credibility, f.reason) for f in checked.facts}
    assert graded == {"alike": (1, 2, "2 sources of one origin"),
                      "with-a-third": (2, 1, "confirmed by 2 independent sources"),
                      "elsewhere": (2, 1, "confirmed by 2 independent sources"),
                      "alike-and-more": (1, 2, "2 sources of one origin")}


def test_a_disputed_point_is_at_most_3_and_says_so(tmp_path):
    _, checked = checked_facts(tmp_path, {"a": "A", "b": "B"}, [
        fact("three", "a", "b", key="accords.count", value=3), fact("four", "b", claim="Accords were signed.",
                                                                     key="accords.count", value=4)])
    three = checked.facts[0]
    assert (three.credibility, three.disputed) == (3, True)
    assert three.reason == ("confirmed by 2 independent sources; rated 3 at best because the sources disagree on this point "
                            "(see the discrepancies)")


def test_an_attributed_claim_is_graded_as_a_report(tmp_path):
    _, checked = checked_facts(tmp_path, {"a": "C"}, [
        fact("report", "a", claim="Outlet a reports that three accords were signed.")])
    (report,) = checked.facts
    assert report.attributed_to == ("Outlet a",)
    assert report.reason == "reported as Outlet a’s account; one source"


def test_the_legend_lists_exactly_the_grades_used(tmp_path):
    _, checked = checked_facts(tmp_path, {"a": "B", "b": "C", "f": "F"}, [
        fact("one", "a", "b"), fact("six", "f")])
    assert build_context(checked, language("en"))["credibility_legend"] == ((1, "confirmed by another independent source"),
                                                             (6, "truth cannot be judged"))


def test_the_source_statement_says_which_grades_the_brief_leaves_unused(tmp_path):
    root, _ = checked_facts(tmp_path, {"a": "B", "b": "C", "f": "F"}, [fact("one", "a", "b"), fact("six", "f")])
    (markdown,) = build_briefs(root, ("analyst",), ("md",))
    text = flat(markdown.path.read_text())
    assert "1 confirmed by another independent source, 6 truth cannot be judged." in text.replace("\u00a0", " ")
    assert "Ratings 2, 3, 4, and 5 are not used in this brief." in text
    root, _ = checked_facts(tmp_path / "two", {"a": "B", "b": "C"}, [fact("one", "a", "b"), fact("alone", "a")])
    (markdown,) = build_briefs(root, ("analyst",), ("md",))
    assert "not used in this brief" not in flat(markdown.path.read_text())  # 1 and 2: nothing skipped


def test_a_fact_one_source_alone_backs_says_so_in_both_formats(tmp_path):
    root, _ = checked_facts(tmp_path, {"a": "B", "b": "B", "c": "B", "d": "B"}, [
        fact("alone", "a", headline=True),
        fact("two", "a", "b", claim="Three accords, one on energy, were signed.", headline=True),
        fact("wire", "c", "d", claim="Three accords were signed that day.", headline=True),
        fact("judged", "a", claim="We assess three accords were signed.", kind="judgment", confidence="low",
             headline=True),
        fact("said", "a", claim="Outlet a reports three accords were signed.", headline=True),
    ], origins={"c": "wire", "d": "wire"})
    outputs = build_briefs(root, ("analyst",), ("docx", "pdf"), tmp_path / "out")
    texts = {o.format: flat(" ".join(docx_paragraphs(o.path))) if o.format == "docx" else pdf_text(o.path) for o in outputs}
    for text in texts.values():
        assert "Three accords were signed (Outlet a alone)." in text
        assert "Three accords were signed that day (reported only by Outlet c and Outlet d, apparently from the same material)." in text
        assert "Three accords, one on energy, were signed." in text and "energy, were signed (" not in text
        assert "We assess three accords were signed." in text and "were signed (Outlet a alone). *(" not in text
        assert "Outlet a reports three accords were signed." in text
