"""Stage 2, claims: every number, date and name of a claim is in one of its
quotes, across languages (English claims, quotes in the source's language)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from briefing.check import check_dossier
from briefing.cli import cli
from briefing.errors import BriefingError
from briefing.load import load_dossier
from conftest import REPO, make_dossier

APA = (REPO / "sources" / "texts" / "apa.txt").read_text(encoding="utf-8")
MEETING = "La journée du 23 juin a été marquée par la rencontre officielle entre les deux chefs d’État."
NUCLEAR = "Le deuxième accord, d’importance stratégique, porte sur l’utilisation pacifique de l’énergie nucléaire."
REFINERY = "doit atteindre une capacité de 200 tonnes par an, soit quatre fois la production officiellement exportée en 2023."
TRAINED = "rappelant que plus de 10 000 cadres maliens ont été formés en Russie depuis 1960."


def warnings_for(tmp_path, claim: str, quote: str, *, text: str = APA, language: str = "fr", glossary=None,
                 derivation: str | None = None, name: str | None = None) -> list[str]:
    fact = {"id": "f", "section": "summary", "claim": claim, "evidence": [{"source": "apa", "quote": quote}]}
    if derivation:
        fact["derivation"] = derivation
    source = {"id": "apa", "file": "texts/apa.txt", "language": language, "reliability": "B", "name": name or "APA"}
    config = None
    if glossary is not None:
        from conftest import CONFIG
        config = CONFIG | {"glossary": glossary}
    root = make_dossier(tmp_path, texts={"apa": text}, sources=[source], facts=[fact], config=config)
    return [w.format_line().removeprefix(f"{root}/sources/facts/facts.yaml:1: ")
            for w in check_dossier(load_dossier(root)).warnings if w.message.startswith("fact ")]


def test_a_year_the_quotes_do_not_give_is_one_warning_line(tmp_path):
    assert warnings_for(tmp_path, "Putin and Goïta met on 23 June 2025.", MEETING, glossary={"Putin": ["Poutine"]}) == [
        "warning: fact 'f': \"Putin\" is in the claim but in none of its quotes",
        "warning: fact 'f': \"Goïta\" is in the claim but in none of its quotes",
        "warning: fact 'f': \"2025\" is in the claim but in none of its quotes",
    ]


def test_dates_compare_through_the_locale_month_names(tmp_path):
    assert warnings_for(tmp_path, "The official meeting took place on 23 June.", MEETING) == []
    assert warnings_for(tmp_path, "The official meeting took place on 23 July.", MEETING) == [
        "warning: fact 'f': \"July\" is in the claim but in none of its quotes"]
    assert warnings_for(tmp_path, "The official meeting took place on 24 June.", MEETING) == [
        "warning: fact 'f': \"24\" is in the claim but in none of its quotes"]


def test_numbers_compare_by_value_whatever_their_separators(tmp_path):
    assert warnings_for(tmp_path, "More than 10,000 cadres were trained since 1960.", TRAINED) == []
    assert warnings_for(tmp_path, "More than 10,500 cadres were trained since 1961.", TRAINED) == [
        "warning: fact 'f': \"10,500\" is in the claim but in none of its quotes",
        "warning: fact 'f': \"1961\" is in the claim but in none of its quotes"]
    text = "Le taux d’accès effectif à l’électricité reste inférieur à 45 % selon les données nationales."
    assert warnings_for(tmp_path, "Access to electricity is below 45%.", text[:-1], text=text) == []


def test_number_words_compare_through_the_locale(tmp_path):
    assert warnings_for(tmp_path, "A second accord concerns nuclear energy.", NUCLEAR) == []
    assert warnings_for(tmp_path, "A third accord concerns nuclear energy.", NUCLEAR) == [
        "warning: fact 'f': \"third\" is in the claim but in none of its quotes"]


def test_names_compare_through_cldr_and_the_glossary_but_not_the_sources_own(tmp_path):
    quote = "avec un tête-à-tête très attendu avec son homologue russe, Vladimir Poutine."
    assert warnings_for(tmp_path, "He met Putin in private.", quote) == [
        "warning: fact 'f': \"Putin\" is in the claim but in none of its quotes"]
    assert warnings_for(tmp_path, "He met Putin in private.", quote, glossary={"Putin": ["Poutine"]}) == []
    assert warnings_for(tmp_path, "Putin met him in private.", quote, glossary={"Putin": ["Putin"]}) == [
        "warning: fact 'f': \"Putin\" is in the claim but in none of its quotes"]  # a glossary name opens a sentence too
    moscow = "Goïta est arrivé à Moscou pour une visite officielle."
    assert warnings_for(tmp_path, "Goïta arrived in Moscow.", moscow, text=moscow + "\n") == []  # CLDR: Moscow ↔ Moscou
    assert warnings_for(tmp_path, "APA reports that Goïta arrived in Moscow.", moscow, text=moscow + "\n") == []


def test_a_german_source_works_the_same(tmp_path):
    text = "Am 23. Juni 2025 wurden in Moskau drei Abkommen unterzeichnet.\n"
    assert warnings_for(tmp_path, "Three accords were signed in Moscow on 23 June 2025.", text.strip(), text=text,
                        language="de") == []
    assert warnings_for(tmp_path, "Four accords were signed in Moscow in July 2025.", text.strip(), text=text,
                        language="de") == [
        "warning: fact 'f': \"Four\" is in the claim but in none of its quotes",
        "warning: fact 'f': \"July\" is in the claim but in none of its quotes"]


def test_a_derived_figure_is_excused_by_its_derivation_whose_figures_are_quoted(tmp_path):
    claim = "The capacity of 200 tonnes is four times the gold exported in 2023."
    assert warnings_for(tmp_path, claim.replace("four", "five"), REFINERY) == [
        "warning: fact 'f': \"five\" is in the claim but in none of its quotes"]
    assert warnings_for(tmp_path, claim.replace("four", "five"), REFINERY, derivation="200 t is five times 40 t") == [
        "warning: fact 'f': \"40\" is in the derivation but in none of its quotes"]


def test_strict_turns_each_warning_into_an_error_line(tmp_path):
    fact = {"id": "f", "section": "summary", "claim": "The meeting took place on 23 June 2025.",
            "evidence": [{"source": "one", "quote": "Trois accords ont été signés"}]}
    root = make_dossier(tmp_path, facts=[fact])
    with pytest.raises(BriefingError) as raised:
        check_dossier(load_dossier(root), strict=True)
    lines = raised.value.format_line().splitlines()
    assert lines[0] == f"{root}/sources/facts/facts.yaml:1: fact 'f': \"23\" is in the claim but in none of its quotes"
    relaxed = CliRunner().invoke(cli, ["check", "-d", str(root)])
    assert relaxed.exit_code == 0 and "3 warnings" in relaxed.output
    strict = CliRunner().invoke(cli, ["check", "-d", str(root), "--strict"])
    assert strict.exit_code == 1


def test_a_key_point_form_says_no_more_than_its_quotes_either(tmp_path):
    """A fact's `point` (its short form among the key points) is checked as its claim is."""
    fact = {"id": "f", "section": "summary", "headline": True, "claim": "The refinery is to reach 200 tonnes a year.",
            "point": "The refinery is to reach 300 tonnes a year, Yadran says.",
            "evidence": [{"source": "apa", "quote": REFINERY}]}
    source = {"id": "apa", "file": "texts/apa.txt", "language": "fr", "reliability": "B", "name": "APA"}
    root = make_dossier(tmp_path, texts={"apa": APA}, sources=[source], facts=[fact])
    lines = [w.format_line().removeprefix(f"{root}/sources/facts/facts.yaml:1: ")
             for w in check_dossier(load_dossier(root)).warnings if w.message.startswith("fact ")]
    assert lines == ["warning: fact 'f': \"300\" is in the point but in none of its quotes",
                     "warning: fact 'f': \"Yadran\" is in the point but in none of its quotes"]
