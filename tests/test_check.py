"""Stage 2: every quote located in its source; references resolved; discrepancies found."""

from briefing.check import check_dossier
from briefing.load import load_dossier
from conftest import ARTICLE, default_facts, error_lines, make_dossier


def check(root):
    return check_dossier(load_dossier(root))


def messages(root) -> list[str]:
    return error_lines(check, root)


def test_each_quote_gets_the_span_of_its_passage_in_the_source(dossier):
    checked = check(dossier)
    for fact in checked.facts:
        for quote in fact.evidence:
            assert quote.source.text[quote.start:quote.end] == quote.passage
    # typed with a straight apostrophe, printed with a typographic one: the passage is the source's
    assert checked.facts[1].evidence[0].passage == "Trois accords ont été signés, dont un sur l’énergie nucléaire."


def test_quotes_match_across_whitespace_guillemets_and_composition(tmp_path):
    facts = default_facts()[:1]
    facts[0]["evidence"] = [{"source": "one", "quote": '"Nous obtenons  de bons\nrésultats"'},
                            {"source": "one", "quote": "Le pre\u0301sident a reçu"}]
    checked = check(make_dossier(tmp_path, facts=facts))
    assert checked.facts[0].evidence[0].passage == "« Nous obtenons de bons résultats »"
    assert checked.facts[0].evidence[1].passage == "Le président a reçu"


def test_a_changed_quote_fails_with_the_closest_passage(tmp_path):
    facts = default_facts()
    facts[1]["evidence"][0]["quote"] = "Trois accords ont été signées"
    root = make_dossier(tmp_path, facts=facts)
    (message,) = messages(root)
    assert message.startswith(f"{root}/sources/facts/facts.yaml:15: fact 'accords': quote not found in source 'one'")
    assert "closest passage: «Trois accords ont été signés" in message


def test_a_quote_from_another_source_names_that_source(tmp_path):
    facts = default_facts()
    facts[0]["evidence"] = [{"source": "two", "quote": "Le président a reçu son homologue"}]
    root = make_dossier(tmp_path, texts={"one": ARTICLE, "two": "Un autre texte, sans rapport."}, facts=facts)
    (message,) = messages(root)
    assert "quote not in source 'two' but found in 'one'" in message


def test_every_reference_error_is_listed_in_one_run(tmp_path):
    facts = default_facts()
    facts[0]["section"] = "weather"
    facts[1]["evidence"][0]["source"] = "nowhere"
    facts.append(dict(default_facts()[0]))
    root = make_dossier(tmp_path, facts=facts, questions=[{"id": "q", "question": "?", "why": "w", "settle": "s", "follows_from": ["ghost"]}])
    found = messages(root)
    assert len(found) == 4
    assert f"facts.yaml:17: duplicate fact id 'meeting' (first defined at {root}/sources/facts/facts.yaml:1)" in found[0]
    assert "facts.yaml:1: fact 'meeting': unknown section 'weather'; sections of this dossier: summary, accords" in found[1]
    assert "facts.yaml:15: fact 'accords': unknown source 'nowhere'; known sources: one" in found[2]
    assert "questions.yaml:1: question 'q': follows_from names unknown fact 'ghost'" in found[3]


def test_facts_with_the_same_key_and_different_values_are_a_discrepancy(tmp_path):
    facts = default_facts()
    other = {"id": "accords-two", "section": "accords", "claim": "Two accords.", "key": "accords.count", "value": "2",
             "evidence": [{"source": "one", "quote": "Trois accords ont été signés"}]}
    same = {"id": "accords-again", "section": "accords", "claim": "Three.", "key": "accords.count", "value": " 3 ",
            "evidence": [{"source": "one", "quote": "Trois accords ont été signés"}]}
    checked = check(make_dossier(tmp_path, facts=facts + [other, same]))
    (discrepancy,) = checked.discrepancies
    assert discrepancy.key == "accords.count"
    assert [v.value for v in discrepancy.versions] == ["3", "2"]
    assert [f.id for f in discrepancy.versions[0].facts] == ["accords", "accords-again"]


def test_a_source_silent_on_a_point_makes_no_discrepancy(tmp_path):
    texts = {"one": ARTICLE, "two": "Un accord sur le nucléaire a été signé sans autre précision.\n"}
    sources = [{"id": s, "file": f"texts/{s}.txt", "reliability": "B"} for s in texts]
    silent = {"id": "accords-unsaid", "section": "accords", "claim": "The second outlet does not count the accords.",
              "silent_on": "accords.count", "evidence": [{"source": "two", "quote": "Un accord sur le nucléaire a été signé"}]}
    checked = check(make_dossier(tmp_path, texts=texts, sources=sources, facts=default_facts() + [silent]))
    assert checked.discrepancies == ()
    accords = next(fact for fact in checked.facts if fact.fact.id == "accords")
    assert "disagree" not in accords.reason  # a silence does not cap the grade of the point it leaves out


def test_credibility_one_needs_two_independent_sources(tmp_path):
    texts = {"one": ARTICLE, "two": ARTICLE, "three": ARTICLE}
    sources = [
        {"id": s, "file": f"texts/{s}.txt", "reliability": "B", **({"origin": "agency"} if s != "one" else {})}
        for s in texts
    ]
    facts = [
        {"id": "two-independent", "section": "summary", "claim": "c",
         "evidence": [{"source": "one", "quote": "Trois accords ont été signés"}, {"source": "two", "quote": "Trois accords ont été signés"}]},
        {"id": "same-origin", "section": "summary", "claim": "c",
         "evidence": [{"source": "two", "quote": "Trois accords ont été signés"}, {"source": "three", "quote": "Trois accords ont été signés"}]},
    ]
    checked = check(make_dossier(tmp_path, texts=texts, sources=sources, facts=facts))
    assert [(f.independent_sources, f.credibility) for f in checked.facts] == [(2, 1), (1, 2)]


def test_the_default_dossier_checks_clean_and_finds_its_discrepancies(default_dossier):
    checked = check(default_dossier)
    assert len(checked.dossier.sources) == 5
    cited = {quote.source.id for fact in checked.facts for quote in fact.evidence}
    assert cited == {source.id for source in checked.dossier.sources}
    keys = {d.key for d in checked.discrepancies}
    # a date the sources contradict each other on; a report that gives an accord by its title only,
    # or names no company, is silent, not another version
    assert keys == {"wagner.announced"}
    silent = {fact.fact.id: fact.fact.silent_on for fact in checked.facts if fact.fact.silent_on}
    assert silent == {"relations-scope-kremlin": "accords.relations.scope", "nuclear-partner-kremlin": "accords.nuclear.parties"}


def test_a_typo_at_the_end_of_a_long_quote_is_shown_where_it_is(tmp_path):
    long_sentence = ("Le président a reçu son homologue à Moscou, dans une salle du Kremlin, en présence de nombreux "
                     "ministres, de conseillers et de diplomates venus des deux pays pour la signature des accords.")
    facts = default_facts()[:1]
    facts[0]["evidence"][0]["quote"] = long_sentence.replace("accords.", "acords.")
    (message,) = messages(make_dossier(tmp_path, texts={"one": long_sentence + "\n"}, facts=facts))
    typed, printed = message.split("«")[1], message.split("«")[2]
    assert typed.startswith("…") and "des acords.»" in typed
    assert printed.startswith("…") and "signature des accords" in printed


