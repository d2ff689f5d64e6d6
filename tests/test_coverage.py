"""Sentence coverage: which sentences of each source the facts cite."""

from __future__ import annotations

from conftest import REPO, make_dossier

from briefing.check import check_dossier
from briefing.authoring.coverage import source_coverage, split_sentences
from briefing.load import load_dossier


def coverage_of(root):
    return {item.source_id: item for item in source_coverage(check_dossier(load_dossier(root)))}


# --- The sentence rule ---------------------------------------------------------------


def test_sentences_end_at_punctuation_followed_by_space_and_at_line_breaks():
    text = "Premier. Deuxième ? Troisième !\nQuatrième sans point\nCinquième."
    assert [s for s, _, _ in split_sentences(text)] == [
        "Premier.", "Deuxième ?", "Troisième !", "Quatrième sans point", "Cinquième.",
    ]


def test_spans_point_into_the_text_and_exclude_surrounding_whitespace():
    text = "  Un.   Deux.  \n\n\tTrois  "
    for sentence, start, end in split_sentences(text):
        assert text[start:end] == sentence
    assert [s for s, _, _ in split_sentences(text)] == ["Un.", "Deux.", "Trois"]


def test_pieces_without_letters_or_digits_are_not_sentences():
    text = "Les accords :\n-\nUn accord ;\n\n\n« Bien. Très bien. »\n…\n"
    # pysbd keeps a quotation whole, as one sentence
    assert [s for s, _, _ in split_sentences(text)] == ["Les accords :", "Un accord ;", "« Bien. Très bien. »"]


def test_punctuation_not_followed_by_whitespace_does_not_split():
    text = "Il y a 2.5 millions d’habitants, selon l’A.P.A., et 45 % d’accès."
    assert len(split_sentences(text)) == 1


def test_an_abbreviation_does_not_end_a_sentence():
    assert [s for s, _, _ in split_sentences("Selon M. Dupont, oui. Il part.", "fr")] == ["Selon M. Dupont, oui.", "Il part."]
    text = "The U.S. State Department met Mr. Dunne on 3 Jan. 2025 in Calder. It agreed."
    assert [s for s, _, _ in split_sentences(text)] == [
        "The U.S. State Department met Mr. Dunne on 3 Jan. 2025 in Calder.", "It agreed."]


def test_page_furniture_is_reported_apart_and_not_counted(tmp_path):
    text = ("Home\nWorld\nBy Hélène Marsh\n12 March 2025\nTwo countries agree to share Lake Orvane\n"
            "The governments signed an agreement on 11 March 2025. It ends a dispute.\n"
            "“This ends ten years of dispute,” said the minister.\n")
    root = make_dossier(tmp_path, texts={"one": text}, facts=[fact("signed", "one", "The governments signed an agreement")])
    one = coverage_of(root)["one"]
    assert [s.text for s in one.furniture] == ["Home", "World", "By Hélène Marsh", "12 March 2025",
                                               "Two countries agree to share Lake Orvane"]
    assert [(s.text, s.cited) for s in one.sentences] == [
        ("The governments signed an agreement on 11 March 2025.", True), ("It ends a dispute.", False),
        ("“This ends ten years of dispute,” said the minister.", False)]
    assert (one.cited_count, one.total) == (1, 3)


def test_windows_line_endings():
    assert [s for s, _, _ in split_sentences("Un.\r\nDeux.\r\n")] == ["Un.", "Deux."]


# --- Coverage of a tiny dossier ----------------------------------------------------------


ARTICLE = "Le président est arrivé lundi. Il a signé trois accords.\nLe temps était beau.\n\n-\nAuteur Inconnu\n"
OTHER = "Une phrase. Une autre phrase."


def fact(fact_id, source, quote):
    return {"id": fact_id, "section": "summary", "claim": f"Claim {fact_id}.", "evidence": [{"source": source, "quote": quote}]}


def test_a_sentence_is_cited_when_a_quote_overlaps_it(tmp_path):
    root = make_dossier(tmp_path, texts={"one": ARTICLE, "two": OTHER}, facts=[
        fact("arrival", "one", "Le président est arrivé lundi."),
        fact("weather", "one", "Le temps était"),
    ])
    found = coverage_of(root)
    one = found["one"]
    assert [(s.text, s.cited) for s in one.sentences] == [
        ("Le président est arrivé lundi.", True),
        ("Il a signé trois accords.", False),
        ("Le temps était beau.", True),
    ]
    assert [s.text for s in one.furniture] == ["Auteur Inconnu"]  # a byline: page furniture, not counted
    assert (one.cited_count, one.total, round(one.share, 3)) == (2, 3, 0.667)
    assert [s.text for s in one.uncited] == ["Il a signé trois accords."]
    for sentence in one.sentences:
        assert ARTICLE[sentence.start:sentence.end] == sentence.text
    # a source no fact quotes is listed, with nothing cited
    assert (found["two"].cited_count, found["two"].total, found["two"].share) == (0, 2, 0.0)
    assert list(found) == ["one", "two"]  # in the order of sources.yaml


def test_a_quote_across_sentences_and_lines_cites_each_of_them(tmp_path):
    root = make_dossier(tmp_path, texts={"one": ARTICLE}, facts=[
        fact("span", "one", "arrivé lundi. Il a signé trois accords. Le temps"),
    ])
    one = coverage_of(root)["one"]
    assert [s.cited for s in one.sentences] == [True, True, True]
    assert one.share == 1.0


def test_a_quote_touching_a_sentence_only_at_its_edge_does_not_cite_it(tmp_path):
    # The quote ends at the full stop; the next sentence starts after the space.
    root = make_dossier(tmp_path, texts={"one": "Un premier point. Un second point."}, facts=[
        fact("first", "one", "Un premier point."),
    ])
    assert [s.cited for s in coverage_of(root)["one"].sentences] == [True, False]


def test_a_source_without_sentences_has_share_zero(tmp_path):
    root = make_dossier(tmp_path, texts={"one": "Une seule phrase.", "dashes": "-\n--\n"}, facts=[
        fact("only", "one", "Une seule phrase."),
    ])
    dashes = coverage_of(root)["dashes"]
    assert (dashes.sentences, dashes.cited_count, dashes.total, dashes.share) == ([], 0, 0, 0.0)


# --- The default dossier cites its sources ----------------------------------------------

# Sentences of the default sources that carry no fact: bylines, headings, page
# furniture. Everything else is a factual (or attributable editorial) sentence.
NOT_FACTUAL = {
    "moscow-correspondent": [
        "Le Kremlin comme théâtre d’un dialogue franc",  # section heading
        "Trois accords qui tracent une nouvelle voie",  # section heading
        "Un axe qui s’affirme",  # section heading
        "Envoyé spécial depuis Moscou",  # byline
    ],
    "clobechi": ["Médard Clobechi"],  # byline
    "kremlin-communique": [],
    "apa": ["MD/ac/Sf/APA"],  # agency signature
    "malikunafoni": [
        "- malikunafoninet",  # page furniture: site name
        "- 23 juin 2025",  # page furniture: publication date
        "- 2 min de lecture",  # page furniture: reading time
        "Oura KANTÉ",  # byline
        "Malikunafoni",  # byline
        "Commentaires",  # comments widget
    ],
}


def test_default_sources_have_at_least_80_percent_of_factual_sentences_cited():
    found = coverage_of(REPO)
    assert set(found) == set(NOT_FACTUAL)
    for source_id, coverage in found.items():
        furniture = [sentence.text for sentence in coverage.furniture]
        for excluded in NOT_FACTUAL[source_id]:
            assert excluded in furniture, f"{source_id}: '{excluded}' is no longer page furniture"
        factual = [s for s in coverage.sentences if s.text not in NOT_FACTUAL[source_id]]
        cited = sum(s.cited for s in factual)
        uncited = [s.text for s in factual if not s.cited]
        assert cited / len(factual) >= 0.8, f"{source_id}: {cited}/{len(factual)} factual sentences cited; uncited: {uncited}"


def test_default_coverage_figures_are_the_published_ones():
    """The figures quoted for the default dossier (cited sentences / all sentences)."""
    found = coverage_of(REPO)
    assert {source_id: (c.cited_count, c.total) for source_id, c in found.items()} == {
        "moscow-correspondent": (24, 29),  # the ceremony (wreath, pomp, the negotiating hall) is left uncited,
        "clobechi": (13, 13),
        "kremlin-communique": (16, 16),
        "apa": (27, 27),
        "malikunafoni": (11, 12),
    }


def test_coverage_finishes_on_a_text_of_one_sentence_of_1_6_mb(tmp_path):
    """pysbd's time grows with the square of a line: one of 1.6 MB never ended. The command must
    finish (well within a minute; it takes about a second), with the long line as uncited text."""
    import json
    import subprocess
    import sys

    from conftest import ARTICLE, one_long_sentence

    root = make_dossier(tmp_path, texts={"one": ARTICLE + one_long_sentence() + "\n"})
    done = subprocess.run([sys.executable, "-m", "briefing", "sources", "--coverage", "--json", "-d", str(root)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (source,) = json.loads(done.stdout)
    assert source["sentences_cited"] == 2 and source["sentences"] > 3, {k: v for k, v in source.items() if k != "uncited"}


def test_a_long_line_is_segmented_in_pieces_cut_after_sentence_ends():
    from briefing.authoring.coverage import MAX_PIECE

    sentence = "Le ministre a parlé longtemps de la coopération entre les deux pays. "
    line = sentence * (3 * MAX_PIECE // len(sentence))
    found = split_sentences(line)
    assert [text for text, _, _ in found] == [sentence.strip()] * (3 * MAX_PIECE // len(sentence))
    assert all(line[start:end] == text for text, start, end in found)


def test_coverage_of_a_long_text_counts_its_first_million_characters_and_says_so(tmp_path, pysbd_characters):
    """pysbd takes about 3 s a megabyte: a source of 3 MB has its first 1,000,000 characters counted,
    and the listing says so (before: the whole text, 40 s for 11 MB)."""
    from briefing.authoring.coverage import MAX_COVERED
    from briefing.authoring.listing import source_rows, uncited_sentences
    from briefing.check import check_dossier
    from briefing.load import load_dossier
    from conftest import ARTICLE, many_sentences

    root = make_dossier(tmp_path, texts={"one": ARTICLE + many_sentences(3_000_000)})
    (item,) = source_coverage(check_dossier(load_dossier(root)))
    assert sum(pysbd_characters) <= MAX_COVERED == 1_000_000
    assert item.counted is not None and MAX_COVERED - 1000 < item.counted <= MAX_COVERED
    assert item.cited_count == 2 and item.total > 1000
    (row,) = source_rows(load_dossier(root), [item])
    assert row["counted_characters"] == item.counted
    assert f"only the first {item.counted:,} characters of 'one' (of {len(load_dossier(root).sources[0].text):,}) are " \
           "counted" in uncited_sentences([row])
