"""`briefing init`: a new dossier that loads, checks and builds at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.build import build_briefs
from briefing.check import check_dossier
from briefing.cli import cli
from briefing.errors import BriefingError
from briefing.authoring.init import EXAMPLE_ARTICLE, create_dossier
from briefing.load import load_dossier
from briefing.compose.templates import builtin_templates_dir


def test_new_dossier_checks_with_its_example(tmp_path: Path) -> None:
    root = tmp_path / "mine"
    create_dossier(root, title="Water: the Orvane basin", author="Water Desk", marking="OFFICIAL")
    checked = check_dossier(load_dossier(root))
    config = checked.dossier.config
    assert (config.title, config.author, config.marking) == ("Water: the Orvane basin", "Water Desk", "OFFICIAL")
    assert [s.id for s in checked.dossier.sources] == ["example"]
    assert checked.dossier.sources[0].text == EXAMPLE_ARTICLE
    assert len(checked.facts) == 5 and checked.quote_count == 5
    assert [d.label for d in checked.discrepancies] == ["Cost of the library"]
    assert [q.id for q in checked.dossier.questions] == ["example-cost"]
    assert "EXAMPLE ARTICLE" in EXAMPLE_ARTICLE.splitlines()[0]


def test_new_dossier_carries_the_builtin_templates(tmp_path: Path) -> None:
    create_dossier(tmp_path / "d")
    builtin = sorted(p.name for p in builtin_templates_dir().glob("*.md.j2")) + ["reference.docx"]
    assert sorted(p.name for p in (tmp_path / "d" / "templates").iterdir()) == sorted(builtin)
    assert (tmp_path / "d" / ".gitignore").read_text() == "out/\n"


def test_files_open_with_comments_saying_what_they_hold(tmp_path: Path) -> None:
    create_dossier(tmp_path / "d")
    for name in ("dossier.yaml", "sources.yaml", "questions.yaml", "facts/example.yaml"):
        assert (tmp_path / "d" / "sources" / name).read_text(encoding="utf-8").startswith("# "), name


def test_values_with_yaml_syntax_are_written_safely(tmp_path: Path) -> None:
    title = 'Mali: "the # question" — Goïta\'s visit'
    create_dossier(tmp_path / "d", title=title, subject="a: b", author="- me", marking="SECRET // NOFORN")
    config = load_dossier(tmp_path / "d").config
    assert (config.title, config.subject, config.author, config.marking) == (title, "a: b", "- me", "SECRET // NOFORN")


def test_title_defaults_to_the_folder_name(tmp_path: Path) -> None:
    create_dossier(tmp_path / "lake-orvane_water")
    assert load_dossier(tmp_path / "lake-orvane_water").config.title == "Lake orvane water"


def test_without_example_the_files_hold_only_comments(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    create_dossier(root, example=False)
    checked = check_dossier(load_dossier(root))
    assert (checked.dossier.sources, checked.facts, checked.dossier.questions) == ((), (), ())
    assert list((root / "sources" / "texts").iterdir()) == []
    assert [p.name for p in (root / "sources" / "facts").iterdir()] == ["facts.yaml"]


def test_an_empty_existing_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    create_dossier(tmp_path / "d")
    assert (tmp_path / "d" / "sources" / "dossier.yaml").is_file()


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "notes.txt").write_text("mine")
    with pytest.raises(BriefingError) as error:
        create_dossier(tmp_path / "d")
    assert error.value.format_line() == f"{tmp_path / 'd'}: the folder is not empty; choose a new folder (briefing init creates it)"
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["notes.txt"]


def test_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "d").write_text("")
    with pytest.raises(BriefingError, match="a file of that name exists"):
        create_dossier(tmp_path / "d")


def test_cli_init_then_build_works_at_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRIEFING_DOSSIER", raising=False)
    result = CliRunner().invoke(cli, ["init", "mine", "--title", "My brief", "--author", "Me"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "created dossier mine: sources/ (configuration in sources/dossier.yaml, an example article with its facts) and templates/",
        "next:",
        "  briefing build --dossier mine                   build the example brief into mine/out/",
        "  briefing add-source ARTICLE.txt --dossier mine  add an article of your own",
    ]
    outputs = build_briefs("mine", ("executive",), ("md",))
    markdown = outputs[0].path.read_text(encoding="utf-8")
    assert "Northbridge opened a new public library on 3\u00a0March\u00a02025 (Zoë Example alone)." in markdown  # one source: it says so


def test_cli_init_refusal_is_one_line_exit_1(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    result = CliRunner().invoke(cli, ["init", "full"])
    assert result.exit_code == 1
    assert result.stderr == "error: full: the folder is not empty; choose a new folder (briefing init creates it)\n"


def test_the_example_source_carries_its_fingerprint(tmp_path: Path) -> None:
    from briefing.check.fingerprints import fingerprint

    create_dossier(tmp_path / "d")
    checked = check_dossier(load_dossier(tmp_path / "d"), strict=True)
    assert checked.warnings == ()
    assert checked.dossier.sources[0].meta.sha256 == fingerprint(EXAMPLE_ARTICLE)


def test_a_full_disk_leaves_no_half_made_dossier(tmp_path: Path, monkeypatch) -> None:
    """Every write after the third fails as on a full disk: nothing is left, neither the folder nor a temporary one."""
    import errno
    import shutil

    calls = []
    original = shutil.copyfile

    def full(source, target, *args, **kwargs):
        calls.append(target)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(source, target, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(BriefingError, match="cannot create the dossier: the disk is full; nothing was created"):
        create_dossier(tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "empty").mkdir()
    with pytest.raises(BriefingError, match="the disk is full"):
        create_dossier(tmp_path / "empty")
    assert [path.name for path in tmp_path.iterdir()] == ["empty"] and not any((tmp_path / "empty").iterdir())


def test_add_source_keeps_the_mode_of_sources_yaml_and_writes_the_text_whole(tmp_path: Path, monkeypatch) -> None:
    import errno
    import os

    from briefing import errors
    from briefing.authoring.add_source import add_source

    root = tmp_path / "d"
    create_dossier(root, example=False)
    sources = root / "sources" / "sources.yaml"
    sources.chmod(0o600)
    article = tmp_path / "a.txt"
    article.write_text("One line of an article.\n", encoding="utf-8")
    add_source(root, article)
    assert sources.stat().st_mode & 0o777 == 0o600
    original = os.fdopen

    def full(fd, *args, **kwargs):
        stream = original(fd, *args, **kwargs)
        stream.write = lambda data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
        return stream

    before = sorted(path.name for path in (root / "sources" / "texts").iterdir())
    monkeypatch.setattr(errors.os, "fdopen", full)
    article.write_text("Another article.\n", encoding="utf-8")
    with pytest.raises(BriefingError, match="the disk is full"):
        add_source(root, article, source_id="second")
    assert sorted(path.name for path in (root / "sources" / "texts").iterdir()) == before  # no zero-byte text
