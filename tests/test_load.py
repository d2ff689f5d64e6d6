"""Stage 1: reading a dossier into typed objects, with errors that point home."""

import pytest

from briefing.load import load_dossier
from conftest import CONFIG, default_facts, error_lines, make_dossier


def test_a_valid_dossier_loads_into_typed_objects(dossier):
    loaded = load_dossier(dossier)
    assert loaded.config.title == "Test brief"
    assert [source.id for source in loaded.sources] == ["one"]
    assert loaded.facts[1].value == "3"  # numbers become text, so values compare as written
    assert loaded.facts[0].where.line == 1


def errors_of(path) -> list[str]:
    return error_lines(load_dossier, path)


def test_schema_errors_name_file_line_and_field_all_at_once(tmp_path):
    facts = default_facts()
    del facts[0]["claim"]
    facts[1]["colour"] = "red"
    facts.append({**default_facts()[0], "id": "guess", "kind": "judgment"})
    root = make_dossier(tmp_path, facts=facts)
    messages = errors_of(root)
    assert len(messages) == 3
    assert messages[0] == f"{root}/sources/facts/facts.yaml:1: missing required field 'claim'"
    assert messages[1] == (f"{root}/sources/facts/facts.yaml:16: unknown field 'colour'; allowed fields: "
                           "id, section, claim, point, kind, confidence, key, value, silent_on, headline, derivation, item, tags, events, evidence")
    assert messages[2] == f"{root}/sources/facts/facts.yaml:17: a judgment needs a confidence: low, moderate or high"


def test_wrong_type_names_the_field(tmp_path):
    facts = default_facts()
    facts[0]["evidence"] = "not a list"
    root = make_dossier(tmp_path, facts=facts)
    (message,) = errors_of(root)
    assert message == f"{root}/sources/facts/facts.yaml:5: 'evidence' has the wrong type (str): input should be a valid list"


def test_a_tab_in_yaml_is_reported_with_its_line(dossier):
    path = dossier / "sources" / "facts" / "facts.yaml"
    lines = path.read_text().splitlines()
    lines[2] = "\t" + lines[2].lstrip()
    path.write_text("\n".join(lines))
    (message,) = errors_of(dossier)
    assert message.startswith(f"{path}:3: invalid YAML")
    assert "tab" in message


def test_an_article_that_is_not_utf8_gives_the_byte_offset(tmp_path):
    root = make_dossier(tmp_path, texts={"one": "Le président".encode("latin-1")})
    (message,) = errors_of(root)
    assert message == f"{root}/sources/texts/one.txt: not UTF-8 text: byte 5 is 0xe9; save the file as UTF-8"


def test_a_bom_and_crlf_line_endings_are_accepted(tmp_path):
    article = "\ufeffLe président a reçu son homologue à Moscou le 23 juin 2025.\r\nTrois accords ont été signés, dont un sur l’énergie nucléaire.\r\n"
    root = make_dossier(tmp_path, texts={"one": article.encode("utf-8")})
    loaded = load_dossier(root)
    assert loaded.sources[0].text.startswith("Le président")


def test_an_empty_article_is_an_error(tmp_path):
    root = make_dossier(tmp_path, texts={"one": "  \n"})
    (message,) = errors_of(root)
    assert message.endswith("one.txt: source 'one': the article text is empty")


def test_a_folder_without_a_dossier_says_how_to_make_one(tmp_path):
    (message,) = errors_of(tmp_path)
    assert "briefing init" in message


def test_facts_without_any_source_say_so_once(tmp_path):
    root = make_dossier(tmp_path, sources=[], texts={})
    (message,) = errors_of(root)
    assert message == (f"{root}/sources/sources.yaml: facts cite sources, but there are none yet: "
                       "add one with 'briefing add-source FILE'")


def test_every_error_of_several_large_fact_files_is_reported_at_its_line(tmp_path):
    """Errors of several fact files come in one run, in file order, each at its line."""
    import sys
    from pathlib import Path

    from briefing.errors import BriefingError

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from make_dossier import make_dossier as make_large

    root = make_large(tmp_path / "large", facts=2000, sources=20, seed=3)
    files = sorted((root / "sources" / "facts").glob("*.yaml"))
    assert len(files) == 4
    loaded = load_dossier(root)
    assert len(loaded.facts) == 2000 and loaded.facts[-1].where.line > 1

    lines = [len(path.read_text(encoding="utf-8").splitlines()) for path in files]
    with files[0].open("a", encoding="utf-8") as file:
        file.write("- id: extra\n  section: summary\n  claim: A claim.\n  colour: red\n"
                   "  evidence:\n  - source: src-0001\n    quote: x\n")
    with files[1].open("a", encoding="utf-8") as file:
        file.write('- id: "unclosed\n')
    with files[2].open("a", encoding="utf-8") as file:
        file.write("- id: no-claim\n  section: summary\n  evidence:\n  - source: src-0001\n    quote: x\n")
    with pytest.raises(BriefingError) as raised:
        load_dossier(root)
    assert raised.value.format_line().splitlines() == [
        f"{files[0]}:{lines[0] + 4}: unknown field 'colour'; allowed fields: "
        "id, section, claim, point, kind, confidence, key, value, silent_on, headline, derivation, item, tags, events, evidence",
        f"{files[1]}:{lines[1] + 1}: invalid YAML: a quote opened on this line is never closed",
        f"{files[2]}:{lines[2] + 1}: missing required field 'claim'",
    ]


def test_loading_leaves_the_collector_as_it_found_it(dossier):
    """A library function changes no process-wide state: a program that loads a
    dossier keeps its own collector settings and its own frozen objects."""
    import gc

    thresholds, enabled, frozen = gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()
    loaded = load_dossier(dossier)
    assert loaded.facts
    assert (gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()) == (thresholds, enabled, frozen)


def test_a_fact_file_that_cannot_be_read_is_an_error_like_any_other(tmp_path, monkeypatch):
    """A folder named like a fact file, or a link to nothing: one line each,
    with the other errors."""
    root = make_dossier(tmp_path)
    facts = root / "sources" / "facts"
    (facts / "folder.yaml").mkdir()
    (facts / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    expected = [f"{facts}/folder.yaml: the fact file is not a regular file",
                f"{facts}/gone.yaml: the fact file is not found"]
    assert errors_of(root) == expected


@pytest.mark.parametrize("typed, value", [("190:20:30", "190:20:30"), ("190:20:30.5", "190:20:30.5"), ("017", "017"),
                                          ("0x1F", "0x1F"), ("1.50", "1.50"), ('!!float "1e5"', "1e5"), ("+12", "+12"),
                                          ("3", "3"), ("-2.5", "-2.5")])
def test_a_value_written_as_a_number_is_the_text_as_typed(tmp_path, typed, value):
    """A fact's value is text shown in the brief: YAML 1.1 would read "190:20:30" in base 60 (685230),
    "017" in octal (15), "1.50" as 1.5; the brief shows what the analyst wrote."""
    root = make_dossier(tmp_path)
    path = root / "sources" / "facts" / "facts.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 3", f"value: {typed}"), encoding="utf-8")
    assert load_dossier(root).facts[1].value == value


def test_a_number_written_in_base_60_is_no_number(tmp_path):
    """Where a number is wanted, "1:30" is not read in base 60 (90) but refused as the text it is."""
    config = {**CONFIG, "mail": {"port": "PORT"}}
    root = make_dossier(tmp_path, config=config)
    path = root / "sources" / "dossier.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("PORT", "1:30"), encoding="utf-8")
    (message,) = errors_of(root)
    assert "'mail.port'" in message and "integer" in message
