"""Stage 2, quotes: a quote is whole words of its source, long enough to mean
something, free of invisible characters; an elision joins passages in order.
Every case quotes the repository's own source texts (the seed articles)."""

from __future__ import annotations

import pytest

from briefing.check import check_dossier
from briefing.check.normalise import normalise
from briefing.check.quotes import MAX_GAP, locate_quote
from briefing.errors import BriefingError
from briefing.load import load_dossier
from conftest import REPO

SOURCES = {source.id: source for source in load_dossier(REPO).sources}


def locate(source_id: str, quote: str):
    source = SOURCES[source_id]
    texts = {sid: normalise(s.text) for sid, s in SOURCES.items()}
    return locate_quote(quote, source, texts[source_id], texts)


def refusal(source_id: str, quote: str) -> str:
    with pytest.raises(BriefingError) as raised:
        locate(source_id, quote)
    return raised.value.detail


@pytest.mark.parametrize("source_id, quote, whole", [
    ("clobechi", "sécurité chronique depuis 2012", "«insécurité chronique"),
    ("apa", "ingérence et de solidarité", "non-ingérence"),
    ("apa", "La journée du 23 ju", "juin"),
])
def test_a_quote_inside_a_word_is_refused_naming_the_word(source_id, quote, whole):
    message = refusal(source_id, quote)
    assert message.startswith(f"quote found in source '{source_id}' only inside a word")
    assert whole in message and message.endswith("quote whole words")


def test_the_same_words_on_their_own_are_found():
    located = locate("clobechi", "l’insécurité chronique depuis 2012")
    assert located.passage == "l’insécurité chronique depuis 2012"
    after_elision = locate("clobechi", "insécurité chronique depuis 2012")  # « l’ » ends where the word starts
    assert after_elision.passage == "insécurité chronique depuis 2012"
    assert locate("apa", "de non-ingérence et de solidarité politique").passage == "de non-ingérence et de solidarité politique"


@pytest.mark.parametrize("quote, words", [("e", 1), ("«", 0), (".", 0), ("Vladimir Poutine", 2), ("23 juin", 2)])
def test_a_quote_of_fewer_than_three_words_is_refused(quote, words):
    message = refusal("apa", quote)
    assert f"has {words} word" in message and "at least 3 words" in message


@pytest.mark.parametrize("char, name", [("\u200b", "U+200B ZERO WIDTH SPACE"), ("\u00ad", "U+00AD SOFT HYPHEN"),
                                        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE")])
def test_an_invisible_character_in_a_quote_is_named_by_code_point(char, name):
    message = refusal("apa", f"la visite officielle{char} du Président")
    assert name in message and "retype it without them" in message


def test_an_invisible_character_in_a_claim_is_an_error_with_its_line(tmp_path):
    from conftest import default_facts, error_lines, make_dossier

    facts = default_facts()
    facts[0]["claim"] = "The president received\u200d his counterpart in Moscow on 23 June 2025."
    root = make_dossier(tmp_path, facts=facts)
    (line,) = error_lines(lambda: check_dossier(load_dossier(root)))
    assert line == (f"{root}/sources/facts/facts.yaml:1: fact 'meeting': the claim holds U+200D ZERO WIDTH JOINER: "
                    "retype it without them")


def test_an_elision_joins_passages_in_order_and_the_passage_shows_the_mark():
    quote = "Entamée la veille, dimanche 22 juin, la visite officielle […] s’est poursuivie ce lundi au Kremlin"
    located = locate("apa", quote)
    assert len(located.spans) == 2
    text = SOURCES["apa"].text
    assert [text[start:end] for start, end in located.spans] == list(located.passages)
    assert located.passage == ("Entamée la veille, dimanche 22 juin, la visite officielle [\u2026] "
                               "s’est poursuivie ce lundi au Kremlin")
    assert locate("apa", quote.replace("[…]", "[...]")).spans == located.spans


def test_an_elision_out_of_order_too_far_or_too_short_is_refused():
    assert "comes before passage 1" in refusal(
        "apa", "s’est poursuivie ce lundi au Kremlin […] Entamée la veille, dimanche 22 juin")
    far = refusal("apa", "Entamée la veille, dimanche 22 juin […] Le troisième accord est un cadre général")
    assert f"at most {MAX_GAP} characters apart" in far
    assert "the passage «lundi» has 1 word" in refusal("apa", "Entamée la veille, dimanche 22 juin […] lundi")
    assert "not at its start or end" in refusal("apa", "[…] Entamée la veille, dimanche 22 juin")


def test_an_elided_passage_also_keeps_to_word_boundaries():
    message = refusal("clobechi", "Présent dans le pays depuis 2021 […] sécurité chronique depuis 2012")
    assert "passage 2 of the elided quote" in message
