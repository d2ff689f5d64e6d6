"""One fact base, briefs in several languages: texts given per language, the
catalogues that translate every fixed string, CLDR formatting, French
typography, and the refusal of a brief in a language some texts lack."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import CONFIG, REPO, default_facts, error_lines, make_dossier

from briefing.build import build_briefs
from briefing.check import in_language, load_and_check
from briefing.cli import cli
from briefing.compose.language import CATALOGUES, available, language, typeset
from briefing.load import load_dossier
from briefing.load.languages import languages_of

BILINGUAL_CONFIG = {
    **CONFIG,
    "title": {"en": "Test brief", "fr": "Note d’essai"},
    "subject": {"en": "A small dossier for tests", "fr": "Un petit dossier d’essai"},
    "sections": [
        {"id": "summary", "title": {"en": "Executive summary", "fr": "Synthèse"}},
        {"id": "accords", "title": {"en": "Accords", "fr": "Accords"}},
    ],
}


def bilingual_sources() -> list[dict]:
    from conftest import ARTICLE

    from briefing.check.fingerprints import fingerprint

    return [{"id": "one", "file": "texts/one.txt", "outlet": "Outlet one", "author": "unknown", "date": "2025-06-23",
             "language": "fr", "reliability": "B", "sha256": fingerprint(ARTICLE),
             "reliability_reason": {"en": "test source", "fr": "source d’essai"}}]


def bilingual_facts() -> list[dict]:
    facts = default_facts()
    facts[0]["claim"] = {"en": facts[0]["claim"], "fr": "Le président a reçu son homologue à Moscou le 23 juin 2025."}
    facts[1]["claim"] = {"en": facts[1]["claim"], "fr": "Trois accords ont été signés, dont un sur l’énergie nucléaire."}
    facts[1]["value"] = {"en": "3", "fr": "3"}
    return facts


# Catalogues -------------------------------------------------------------------

def extracted_messages() -> set:
    """Every message the templates and the code use, as Babel extracts them with babel.cfg."""
    with open(REPO / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(str(REPO), method_map, options_map, keywords):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


@pytest.mark.parametrize("code", ["en", "fr"])
def test_every_message_the_templates_and_code_use_is_translated(code):
    used = extracted_messages()
    assert len(used) > 60  # the extraction found the messages (a broken babel.cfg finds none)
    catalogue = read_po((CATALOGUES / code / "LC_MESSAGES" / "briefing.po").open("rb"))
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue
                  if m.id and "fuzzy" not in m.flags and all(m.string if isinstance(m.string, tuple) else [m.string])}
    missing = sorted(str(message) for message in used - translated)
    assert not missing, f"{code}: {len(missing)} messages not translated: {missing[:10]}"


@pytest.mark.parametrize("code", ["en", "fr"])
def test_the_shipped_compiled_catalogue_is_the_source_catalogue(code):
    """The .mo briefing reads is compiled from the .po a translator edits (run `pybabel compile` after editing)."""
    folder = CATALOGUES / code / "LC_MESSAGES"
    source = read_po((folder / "briefing.po").open("rb"))
    compiled = read_mo((folder / "briefing.mo").open("rb"))
    def key(message):
        return message.context, tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id

    def text(message):
        return tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string

    compiled_texts = {key(m): text(m) for m in compiled if m.id}
    for message in source:
        if message.id:
            assert compiled_texts.get(key(message)) == text(message), message.id


def test_a_language_without_a_catalogue_is_one_clear_error(dossier, tmp_path):
    assert available() == ("en", "fr")
    result = CliRunner().invoke(cli, ["build", "--dossier", str(dossier), "-f", "md", "--lang", "xx",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no catalogue for the language 'xx'; it has en, fr" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# CLDR formatting and typography ----------------------------------------------

def test_dates_numbers_lists_and_language_names_follow_the_locale():
    en, fr = language("en"), language("fr")
    nb = "\u00a0"  # a date is never broken across lines
    assert (en.date("2025-06-23"), fr.date("2025-06-23")) == (f"23{nb}June{nb}2025", f"23{nb}juin{nb}2025")
    assert (en.date("2025-04"), fr.date("2025-04")) == (f"April{nb}2025", f"avril{nb}2025")
    assert (en.number(10000), fr.number(10000)) == ("10,000", "10\u202f000")
    assert (en.list(["APA", "Clobechi"]), fr.list(["APA", "Clobechi"])) == ("APA and Clobechi", "APA et Clobechi")
    assert (en.language_name("fr"), fr.language_name("fr")) == ("French", "français")
    assert fr.ngettext("%(num)s independent source", "%(num)s independent sources", 1) == "1 source indépendante"
    assert fr.ngettext("%(num)s independent source", "%(num)s independent sources", 3) == "3 sources indépendantes"


def test_an_undetermined_language_is_named_unknown_not_english(tmp_path):
    """`und` (ISO 639's "undetermined") is what CLDR resolves to its likeliest locale, en-US: a brief
    printed "English (United States)" for a source whose language nobody knew."""
    en, fr = language("en"), language("fr")
    for code in ("und", "und-Latn", "unknown"):
        assert en.language_name(code) == en.language_name("unknown") == en.gettext("an unknown language")
        assert fr.language_name(code) == fr.gettext("an unknown language")
    sources = [dict(source, language="und") for source in yaml.safe_load(
        (make_dossier(tmp_path / "plain") / "sources" / "sources.yaml").read_text(encoding="utf-8"))]
    root = make_dossier(tmp_path / "d", sources=sources)
    outputs = build_briefs(root, ("analyst",), ("md",), tmp_path / "out")
    text = outputs[0].path.read_text(encoding="utf-8")
    assert "English (United States)" not in text and "unknown language" in text


def test_french_typography_binds_punctuation_with_no_break_spaces():
    fr = language("fr")
    assert fr.typeset("Le Mali : un accord ; deux !") == "Le Mali\u00a0: un accord\u00a0; deux\u00a0!"
    assert fr.typeset("Bamako: «trois» accords?") == "Bamako\u00a0: «\u00a0trois\u00a0» accords\u00a0?"
    assert fr.typeset("à 10:30, voir https://example.org/?q=1") == "à 10:30, voir https://example.org/?q=1"
    # a verbatim quote keeps its characters: only its own spaces become no-break ones
    assert fr.typeset("Bamako: «trois» ; x", verbatim=True) == "Bamako: «trois»\u00a0; x"
    assert language("en").typeset("Mali : x ;") == "Mali : x ;"


def test_a_quote_keeps_its_words_and_prints_its_straight_quotes_as_typographic_ones():
    fr = language("fr")
    assert fr.typeset('mémorandums d\'entente et alliances dites "souverainistes"', verbatim=True) == \
        "mémorandums d’entente et alliances dites “souverainistes”"
    assert language("en").typeset("the 'agile structure', \"a pact\"", verbatim=True) == \
        "the ‘agile structure’, “a pact”"
    # right-to-left scripts keep theirs: “ ” do not mirror there, and ' may be a geresh
    assert typeset('צה"ל', "he", verbatim=True) == 'צה"ל'


def test_french_typography_never_parts_a_number_from_what_it_counts():
    fr = language("fr")
    assert fr.typeset("65 ans, 10 000 Maliens et 200 tonnes") == "65\u00a0ans, 10\u00a0000\u00a0Maliens et 200\u00a0tonnes"
    assert fr.typeset("65 ans de relations", verbatim=True) == "65\u00a0ans de relations"
    # a year, or a number before a little word, may end a line: "2021 selon", "26 ou"
    assert fr.typeset("les accords de 2023 sont") == "les accords de 2023 sont"
    assert fr.typeset("depuis 2021 selon lui, jeudi 26 ou vendredi 27") == "depuis 2021 selon lui, jeudi\u00a026 ou vendredi\u00a027"
    assert language("en").typeset("65 years") == "65 years"


def test_a_weekday_is_never_parted_from_its_day():
    """'jusqu’au jeudi 26 ou au vendredi 27 juin': 'jeudi' never ends a line with '26' on the next."""
    assert language("fr").typeset("jusqu’au jeudi 26 ou au vendredi 27 juin") == \
        "jusqu’au jeudi\u00a026 ou au vendredi\u00a027\u00a0juin"
    assert language("en").typeset("until Thursday 26 or Friday 27 June") == "until Thursday\u00a026 or Friday\u00a027\u00a0June"
    assert language("en").typeset("on Monday, 3 officials") == "on Monday, 3 officials"


# Texts in several languages ---------------------------------------------------

def test_a_text_is_a_string_or_a_mapping_by_language(tmp_path):
    root = make_dossier(tmp_path, config=BILINGUAL_CONFIG, facts=bilingual_facts(), sources=bilingual_sources())
    dossier = load_dossier(root)
    assert languages_of(dossier) == ("en", "fr")
    fact = dossier.facts[0]
    assert fact.claim == "The president received his counterpart in Moscow on 23 June 2025."  # the dossier's language
    french = in_language(load_and_check(root), "fr")
    assert french.facts[0].fact.claim == "Le président a reçu son homologue à Moscou le 23 juin 2025."
    assert french.dossier.config.sections[0].title == "Synthèse"
    assert french.facts[0].fact.where == fact.where  # errors still point at the fact's line


@pytest.mark.parametrize("text, message", [
    ({"english": "x"}, "'english' is not a language code"),
    ({"fr": ""}, "the text in 'fr' is missing or is not text"),
    ({}, "give the text, or a mapping from language code to text"),
])
def test_a_bad_mapping_of_languages_is_one_line_at_its_field(tmp_path, text, message):
    facts = default_facts()
    facts[0]["claim"] = text
    root = make_dossier(tmp_path, facts=facts)
    lines = error_lines(load_dossier, root)
    assert len(lines) == 1 and "facts.yaml:" in lines[0] and "'claim': " + message in lines[0], lines


def test_a_brief_in_a_language_some_texts_lack_lists_every_one(tmp_path):
    facts = bilingual_facts()
    facts[1]["claim"] = facts[1]["claim"]["en"]  # this one has no French
    facts.append({**default_facts()[0], "id": "meeting-again"})  # nor this one
    config = {**BILINGUAL_CONFIG, "sections": [BILINGUAL_CONFIG["sections"][0], {"id": "accords", "title": "Accords"}]}
    root = make_dossier(tmp_path, config=config, facts=facts, sources=bilingual_sources())
    result = CliRunner().invoke(cli, ["build", "--dossier", str(root), "-f", "md", "--lang", "fr",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "no French text" in line]
    assert len(lines) == 3, result.output
    assert any("dossier.yaml" in line and "section 'accords'" in line for line in lines)
    assert any("facts.yaml" in line and "fact 'accords': no French text for claim;" in line for line in lines)
    assert any("fact 'meeting-again': no French text for claim;" in line for line in lines)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    # check --lang fr says the same before any build
    checked = CliRunner().invoke(cli, ["check", "--dossier", str(root), "--lang", "fr"])
    assert checked.exit_code == 1 and checked.output.count("no French text") == 3


def test_the_claim_check_applies_to_every_language_of_a_claim(tmp_path):
    facts = bilingual_facts()
    facts[0]["claim"]["fr"] = "Le président a reçu son homologue à Moscou le 24 juin 2026."  # two figures the quote lacks
    facts[1]["claim"]["fr"] = "Quatre accords ont été signés en mai."  # a number word and a month (lower case)
    root = make_dossier(tmp_path, config=BILINGUAL_CONFIG, facts=facts)
    warnings = [w.message for w in load_and_check(root).warnings]
    assert any("fact 'meeting' (fr): \"24\" is in the claim" in w for w in warnings), warnings
    assert any("fact 'meeting' (fr): \"2026\" is in the claim" in w for w in warnings), warnings
    assert any("fact 'accords' (fr): \"Quatre\" is in the claim" in w for w in warnings), warnings
    assert any("fact 'accords' (fr): \"mai\" is in the claim" in w for w in warnings), warnings
    assert not any("(fr)" not in w for w in warnings), warnings  # the English claims are as their quotes


def test_a_french_claim_that_writes_numbers_the_french_way_matches_its_quote(tmp_path):
    text = "Plus de 10 000 étudiants ont été formés, soit 38,5 % du total, selon le ministère.\n"
    facts = [{"id": "students", "section": "summary", "claim": {
        "en": "More than 10,000 students were trained, 38.5% of the total.",
        "fr": "Plus de 10 000 étudiants ont été formés, soit 38,5 % du total."},
        "evidence": [{"source": "one", "quote": "Plus de 10 000 étudiants ont été formés, soit 38,5 % du total"}]}]
    root = make_dossier(tmp_path, config=BILINGUAL_CONFIG, texts={"one": text}, facts=facts)
    assert [w.message for w in load_and_check(root).warnings] == []


# Briefs in several languages --------------------------------------------------

def test_build_in_two_languages_names_the_briefs_apart(tmp_path):
    root = make_dossier(tmp_path / "d", config=BILINGUAL_CONFIG, facts=bilingual_facts(), sources=bilingual_sources())
    outputs = build_briefs(root, ("executive",), ("md",), tmp_path / "out", languages=("en", "fr"))
    assert sorted(p.path.name for p in outputs) == ["executive.fr.md", "executive.md"]
    english = (tmp_path / "out" / "executive.md").read_text(encoding="utf-8")
    french = (tmp_path / "out" / "executive.fr.md").read_text(encoding="utf-8")
    assert "The president received" in english and "Le président a reçu" not in english
    assert "Le président a reçu son homologue" in french and "The president received" not in french


def test_a_template_may_fix_its_language(tmp_path):
    template = """\
        {#---
        name: note-fr
        audience: Cabinet
        description: Une note en français.
        language: fr
        ---#}
        # {{ _("Evidence") }}

        {% for fact in facts %}{{ fact.claim | md }}{{ cite(fact) }}
        {% endfor %}
        """
    root = make_dossier(tmp_path / "d", config=BILINGUAL_CONFIG, facts=bilingual_facts(), sources=bilingual_sources(),
                        templates={"note-fr.md.j2": template})
    outputs = build_briefs(root, ("note-fr",), ("md",), tmp_path / "out", languages=("en",))
    assert [p.path.name for p in outputs] == ["note-fr.fr.md"]
    text = outputs[0].path.read_text(encoding="utf-8")
    assert "# Éléments de preuve" in text and "Trois accords ont été signés" in text


def test_the_renderers_print_their_fixed_words_in_the_brief_language(tmp_path):
    root = make_dossier(tmp_path / "d", config=BILINGUAL_CONFIG, facts=bilingual_facts(), sources=bilingual_sources())
    build_briefs(root, ("analyst",), ("pdf", "docx"), tmp_path / "out", languages=("fr",))
    pdf = subprocess.run(["pdftotext", "-layout", str(tmp_path / "out" / "analyst.fr.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "Page 1 sur" in pdf and "Page 1 of" not in pdf
    assert "Éléments de preuve" in pdf and "Rédigé par" in pdf and "24 juin 2025" in pdf
    from docx import Document

    word = Document(str(tmp_path / "out" / "analyst.fr.docx"))
    footer = "".join(p.text for p in word.sections[0].footer.paragraphs)
    assert "Page " in footer and " sur " in footer and " of " not in footer
    assert word.core_properties.language == "fr"


def test_mail_takes_the_language_of_its_brief(tmp_path):
    root = make_dossier(tmp_path / "d", config=BILINGUAL_CONFIG, facts=bilingual_facts(), sources=bilingual_sources())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mail", "--dossier", str(root), "-t", "executive", "--lang", "fr",
                                      "--to", "desk@example.org", "--from", "me@example.org", "--out", str(out)])
    assert result.exit_code == 0, result.output
    import email
    from email import policy

    message = email.message_from_bytes((out / "executive.fr.eml").read_bytes(), policy=policy.default)
    assert message["Subject"] == "Note d’essai"
    body = message.get_body(("plain",)).get_content()
    assert "à l’attention de" in body and "PIÈCES JOINTES" in body
    assert [part.get_filename() for part in message.iter_attachments()][0].endswith(".pdf")
    assert (out / "executive.fr.pdf").exists() and not (out / "executive.pdf").exists()


def test_the_default_dossier_lists_its_languages():
    assert languages_of(load_dossier(REPO))[0] == "en"


def test_catalogue_files_sit_where_babel_cfg_and_the_readme_say(tmp_path):
    for code in ("en", "fr"):
        assert (CATALOGUES / code / "LC_MESSAGES" / "briefing.mo").is_file()
    assert (CATALOGUES / "briefing.pot").is_file()
    assert "pybabel compile -d briefing/compose/locale -D briefing" in Path(REPO / "README.md").read_text(encoding="utf-8")


# French briefs as a reader gets them -------------------------------------------

def english_phrases() -> list[str]:
    """The words of every English message whose French differs: the pieces
    between placeholders that are long enough to be telling."""
    import re

    english = read_po((CATALOGUES / "en" / "LC_MESSAGES" / "briefing.po").open("rb"))
    french = {m.id if isinstance(m.id, str) else m.id[0]: m.string
              for m in read_po((CATALOGUES / "fr" / "LC_MESSAGES" / "briefing.po").open("rb")) if m.id}
    phrases = set()
    for message in english:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        translated = french.get(key)
        translated = " ".join(translated) if isinstance(translated, (list, tuple)) else translated or ""
        for text in strings:
            for piece in re.split(r"%\(\w+\)[sd]", text):
                piece = piece.strip(" .,;:()")
                if len(piece) >= 8 and " " in piece and piece not in translated:
                    phrases.add(piece)
    return sorted(phrases)


def french_texts(out: Path) -> dict[str, str]:
    """What each French brief says: the PDF's text, and the DOCX's body, tables, footnotes, header and footer."""
    from docx import Document

    texts = {}
    for pdf in out.glob("*.fr.pdf"):
        texts[pdf.name] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                         check=True).stdout
    for path in out.glob("*.fr.docx"):
        word = Document(str(path))
        parts = [p.text for p in word.paragraphs] + [c.text for t in word.tables for r in t.rows for c in r.cells]
        parts += [p.text for s in word.sections for p in (*s.header.paragraphs, *s.footer.paragraphs)]
        notes = next((r.target_part for r in word.part.rels.values() if r.reltype.endswith("/footnotes")), None)
        if notes is not None:
            from lxml import etree

            parts += ["".join(note.itertext()) for note in etree.fromstring(notes.blob)]
        texts[path.name] = "\n".join(parts)
    return texts


@pytest.fixture(scope="module")
def french_briefs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fr")
    root = make_dossier(out / "d", config=BILINGUAL_CONFIG, facts=bilingual_facts(), sources=bilingual_sources(),
                        questions=[{"id": "q", "question": {"en": "Who signed?", "fr": "Qui a signé ?"},
                                    "why": {"en": "It matters.", "fr": "Cela compte."},
                                    "settle": {"en": "The text of the accords.", "fr": "Le texte des accords."},
                                    "follows_from": ["accords"]}])
    build_briefs(root, (), ("pdf", "docx"), out / "out", languages=("fr",))
    return out / "out"


def test_a_french_brief_has_no_english_label(french_briefs):
    phrases = english_phrases()
    assert len(phrases) > 40  # the test reads the catalogues
    texts = french_texts(french_briefs)
    assert len(texts) == 6
    for name, text in texts.items():
        flat = " ".join(text.split())
        found = [phrase for phrase in phrases if phrase in flat]
        assert not found, f"{name}: {found}"
        assert "Page 1 sur" in flat or name.endswith(".docx"), name


def test_french_punctuation_never_starts_a_line_nor_leaves_a_guillemet_at_its_end(french_briefs):
    import re

    for name, text in french_texts(french_briefs).items():
        for line in text.splitlines():
            assert not re.match(r"\s*[:;!?»]", line), f"{name}: {line!r}"
            assert not line.rstrip().endswith("«"), f"{name}: {line!r}"
        if name.endswith(".docx"):  # the DOCX keeps the characters: a no-break space before each
            assert not re.search(r"[^\s\u00a0][;!?»]|[^\s\u00a0:/\d]:(?!//)\s|«[^\u00a0]", text), name


@pytest.fixture(scope="module")
def default_french(tmp_path_factory) -> Path:
    """The repository's own dossier, built in French."""
    out = tmp_path_factory.mktemp("default-fr")
    build_briefs(REPO, (), ("pdf", "docx"), out, languages=("fr",))
    return out


def test_the_default_dossier_in_french_has_every_brief_in_french(default_french):
    from briefing.check import in_language, load_and_check

    texts = french_texts(default_french)
    assert sorted(texts) == [f"{name}.fr.{suffix}" for name in ("analyst", "defence", "executive")
                             for suffix in ("docx", "pdf")]
    phrases = english_phrases()
    french = in_language(load_and_check(REPO), "fr")
    claims = [" ".join(fact.fact.claim.split())[:45] for fact in french.facts]
    for name, text in texts.items():
        flat = " ".join(text.replace("\u00a0", " ").split())
        assert not [phrase for phrase in phrases if phrase in flat], name
        assert "24 juin 2025" in flat and "June" not in flat, name
        if name.endswith(".pdf"):
            assert "Page 1 sur" in flat, name
    analyst = " ".join(texts["analyst.fr.pdf"].replace("\u00a0", " ").split())
    shown = [claim for claim in claims if claim.replace("\u00a0", " ") in analyst]
    assert len(shown) >= len(claims) * 0.8, f"{len(shown)} of {len(claims)} French claims found in the analyst brief"


def test_a_french_docx_names_the_brief_styles_in_french_too(default_french):
    import docx
    from docx.oxml.ns import qn

    def aliases(path):
        return {style.name: style.element.find(qn("w:aliases")).get(qn("w:val"))
                for style in docx.Document(str(path)).styles if style.element.find(qn("w:aliases")) is not None}

    french = aliases(default_french / "analyst.fr.docx")
    assert french["Numbered Paragraph"] == "Paragraphe numéroté" and french["Table Text"] == "Texte de tableau"
    assert aliases(REPO / "templates" / "reference.docx") == {}  # the reference document is left as it is


@pytest.mark.parametrize("command", [["build", "-f", "md"], ["check"]])
def test_a_lang_option_that_is_not_a_language_code_is_refused(dossier, tmp_path, command):
    result = CliRunner().invoke(cli, [*command, "--dossier", str(dossier), "--lang", "../../../tmp/evil"]
                                + (["--out", str(tmp_path / "out")] if command[0] == "build" else []))
    assert result.exit_code == 1 and "'../../../tmp/evil' is not a language code" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_dossier_language_without_a_catalogue_names_its_file(tmp_path):
    root = make_dossier(tmp_path / "d", config={**CONFIG, "language": "zz"})
    result = CliRunner().invoke(cli, ["build", "--dossier", str(root), "-f", "md", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "dossier.yaml:" in result.output and "no catalogue for the language 'zz'" in result.output


def test_a_dossier_language_without_a_catalogue_points_at_its_line(tmp_path):
    root = make_dossier(tmp_path / "d", config={**CONFIG, "language": "zz"})
    config = root / "sources" / "dossier.yaml"
    config.write_text("# settings\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("language: zz") + 1
    result = CliRunner().invoke(cli, ["build", "--dossier", str(root), "-f", "md", "--out", str(tmp_path / "out")])
    assert line > 2 and result.exit_code == 1
    assert result.output.startswith(f"error: {config}:{line}: briefing has no catalogue for the language 'zz'"), result.output


def test_a_source_language_that_is_not_a_language_code_is_refused(tmp_path):
    from briefing.check.fingerprints import fingerprint
    from conftest import ARTICLE

    sources = [{"id": "one", "file": "texts/one.txt", "language": "../../etc", "sha256": fingerprint(ARTICLE)}]
    lines = error_lines(load_dossier, make_dossier(tmp_path, sources=sources))
    assert len(lines) == 1 and "sources.yaml:" in lines[0] and "not a language code" in lines[0], lines


def test_the_hint_for_a_text_lacking_the_dossiers_own_language_names_the_one_it_has(tmp_path):
    """A claim given in French alone, in an English dossier: the hint shows English and French
    (before: "write it as {en: …, en: …}")."""
    facts = default_facts()
    facts[0]["claim"] = {"fr": "Le président a reçu son homologue à Moscou le 23 juin 2025."}
    root = make_dossier(tmp_path, facts=facts)
    result = CliRunner().invoke(cli, ["check", "--dossier", str(root), "--lang", "en"])
    assert result.exit_code == 1
    assert "fact 'meeting': no English text for claim; write it as {en: …, fr: …}" in result.output, result.output


def test_the_french_one_page_note_fits_one_page_in_word_too(default_french, tmp_path):
    """French writes longer: the note chooses less, in the DOCX as LibreOffice lays it out as in
    the PDF; and no block the longer briefs hold together leaves a third of a page blank there."""
    import shutil

    from conftest import require
    from readback import blank_shares

    office, pdftotext = require("libreoffice"), require("pdftotext")
    names = ("executive", "analyst", "defence")
    copies = [str(shutil.copy(default_french / f"{name}.fr.docx", tmp_path / f"{name}.fr.docx")) for name in names]
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), *copies], capture_output=True, text=True, timeout=240, check=True)
    pages = subprocess.run([pdftotext, str(tmp_path / "pdf" / "executive.fr.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    assert len(pages) == 2 and "Points de vigilance" in pages[0]  # one page, then the end
    for name in names[1:]:
        shares = blank_shares(tmp_path / "pdf" / f"{name}.fr.pdf")
        assert all(share < 1 / 3 for share in shares[:-1]), (name, [f"{share:.0%}" for share in shares])


@pytest.mark.parametrize("code, two, three", [("en", [4, " and ", 41], [4, ", ", 12, ", and ", 41]),
                                              ("fr", [4, " et ", 41], [4, ", ", 12, " et ", 41])])
def test_numbers_a_renderer_sets_as_links_are_listed_as_the_language_lists_them(code, two, three):
    from briefing.compose.language import language
    from briefing.document import listed

    patterns = language(code).list_patterns()
    assert listed([4, 41], patterns) == two and listed([4, 12, 41], patterns) == three
    assert listed([4], patterns) == [4]
