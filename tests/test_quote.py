"""`briefing quote`: from a half-remembered fragment to the exact words of the source."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefing.check import locate_quote
from briefing.cli import cli
from briefing.errors import BriefingError
from briefing.load import Source
from briefing.load.model import SourceMeta
from briefing.check.normalise import normalise
from briefing.authoring.quote import find_passages, fold

from conftest import ARTICLE


def test_fold_drops_accents_case_and_punctuation_and_keeps_offsets() -> None:
    text = "« C’est L'Été — déjà ! »  ﬁn"
    folded = fold(text)
    assert folded.text == "c est l ete deja fin"
    assert text[folded.origins[folded.text.index("ete")]] == "É"
    assert [text[i] for i in folded.origins[-3:]] == ["ﬁ", "ﬁ", "n"]


def test_finds_the_passage_whatever_the_accents_case_and_punctuation() -> None:
    [best, *_] = find_passages(ARTICLE, "nous obtenons de bons resultats")
    assert best.text == "Nous obtenons de bons résultats"
    assert ARTICLE[best.start:best.end] == best.text
    assert (best.line, best.column, best.score) == (1, 63, 100.0)


def test_position_is_line_and_column_of_the_start() -> None:
    [best, *_] = find_passages(ARTICLE, "TROIS ACCORDS ont ete signes", limit=1)
    assert best.text == "Trois accords ont été signés"
    assert (best.line, best.column) == (2, 1)
    assert best.start == ARTICLE.index("Trois")


def test_tolerates_a_typo_and_a_missing_word() -> None:
    [best, *_] = find_passages(ARTICLE, "dont un sur l energie nucleair", limit=1)
    assert best.text == "dont un sur l’énergie nucléaire"
    assert 90 < best.score < 100


def test_passages_are_best_first_and_never_overlap() -> None:
    passages = find_passages("alpha beta gamma. alpha beta delta. alpha beta gamma.", "alpha beta gamma", limit=3, min_score=0, within=100)
    assert [p.text for p in passages[:2]] == ["alpha beta gamma", "alpha beta gamma"]
    assert [p.start for p in passages[:2]] == [0, 36]
    assert passages[0].score >= passages[1].score >= passages[2].score
    spans = sorted((p.start, p.end) for p in passages)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def test_weak_matches_are_left_out_but_the_best_is_always_shown() -> None:
    assert len(find_passages(ARTICLE, "zzzz qqqq", limit=3)) == 1
    text = "Goïta arrived. The visit was long. Goïta left."
    assert [p.text for p in find_passages(text, "goita", limit=3)] == ["Goïta", "Goïta"]


def test_a_line_break_inside_a_passage_becomes_a_space() -> None:
    text = "The minister said the talks\nwere constructive and frank.\n"
    [best] = find_passages(text, "talks were constructive", limit=1)
    assert best.text == "talks were constructive"
    assert text[best.start:best.end] == "talks\nwere constructive"


def test_a_fragment_without_letters_is_refused() -> None:
    with pytest.raises(BriefingError) as error:
        find_passages(ARTICLE, " … !? ")
    assert error.value.format_line() == "the fragment has no letters or digits to look for"


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_run_of_words_is_found_exactly_and_check_locates_it(data) -> None:
    """Whatever run of words the analyst recalls, in capitals and without accents,
    the first passage is those very words, and `briefing check` accepts it as a quote."""
    words = ARTICLE.split()
    first = data.draw(st.integers(0, len(words) - 3))
    count = data.draw(st.integers(3, min(10, len(words) - first)))
    fragment = _strip_accents(" ".join(words[first:first + count])).upper()
    assume(len(re.findall(r"[^\W_]+", fragment)) >= 3)  # a quote has three words at least
    [best, *_] = find_passages(ARTICLE, fragment, limit=1)
    assert best.score == 100.0
    assert fold(best.text).text == fold(fragment).text
    source = Source(SourceMeta(id="one", file="texts/one.txt"), ARTICLE, Path("one.txt"))
    located = locate_quote(best.text, source, normalise(source.text), {})
    assert (located.start, located.end) == (best.start, best.end)


def test_cli_prints_evidence_ready_to_paste(dossier: Path) -> None:
    result = CliRunner().invoke(cli, ["quote", "one", "a t il declare", "--dossier", str(dossier), "-n", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "    # line 1, column 98, characters 97-111, match 100 %\n"
        "    - source: one\n"
        '      quote: "a-t-il déclaré"\n'
    )


def test_cli_json_for_scripts(dossier: Path) -> None:
    result = CliRunner().invoke(cli, ["quote", "one", "homologue a moscou", "--json", "-n", "1"],
                                env={"BRIEFING_DOSSIER": str(dossier)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"source": "one", "quote": "homologue à Moscou", "start": 24, "end": 42, "line": 1, "column": 25, "score": 100.0}
    ]


def test_cli_unknown_source_names_the_known_ones(dossier: Path) -> None:
    result = CliRunner().invoke(cli, ["quote", "two", "anything", "--dossier", str(dossier)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {dossier}/sources/sources.yaml: no source 'two'; sources of this dossier: one\n"


def test_cli_quote_works_while_a_fact_file_is_broken(dossier: Path) -> None:
    """Looking up a quote reads only the source, so a half-written fact does not block it."""
    (dossier / "sources" / "facts" / "facts.yaml").write_text("- id: [unfinished\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["quote", "one", "trois accords", "--dossier", str(dossier), "-n", "1"])
    assert result.exit_code == 0, result.output
    assert '      quote: "Trois accords"\n' in result.output


def test_a_fragment_close_to_nothing_is_an_error_not_a_passage(tmp_path):
    from click.testing import CliRunner

    from briefing.cli import cli
    from conftest import make_dossier

    root = make_dossier(tmp_path)
    result = CliRunner().invoke(cli, ["quote", "one", "zzzz qqqq xxxx", "--dossier", str(root)])
    assert result.exit_code == 1
    assert f"{root}/sources/texts/one.txt: no passage of 'one' is close to «zzzz qqqq xxxx» (the best matches" in result.output
    assert "quote:" not in result.output


def test_quote_finishes_on_a_text_of_one_sentence_of_1_6_mb(tmp_path):
    """Scoring every window of 270,000 words, and segmenting one sentence of 1.6 MB, never ended:
    the command must finish (well within a minute; it takes a second or two) and find the words."""
    import subprocess
    import sys

    from conftest import NEEDLE, make_dossier, one_long_sentence

    root = make_dossier(tmp_path, texts={"one": ARTICLE + one_long_sentence() + "\n"})
    done = subprocess.run([sys.executable, "-m", "briefing", "quote", "one", "la comission mixte publira le niveau du lac",
                           "-d", str(root), "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    best = json.loads(done.stdout)[0]
    assert best["quote"] == NEEDLE.rsplit(" ", 2)[0] and best["line"] == 3, best


def test_quote_in_a_long_text_segments_only_the_lines_around_its_candidates(pysbd_characters):
    """In a text of 3 MB, `quote` looks at the places that share the fragment's words, and segments the
    lines around those alone: before, it segmented the whole text (about 4 s a megabyte)."""
    from conftest import many_sentences

    text = many_sentences(3_000_000)
    needle = "La commission mixte publiera le niveau du lac chaque mois."
    middle = text.index("\n", len(text) // 2) + 1
    text = text[:middle] + needle + "\n" + text[middle:]
    [best, *_] = find_passages(text, "la comission mixte publira le niveau du lac", language="fr")
    assert best.text == "La commission mixte publiera le niveau du lac" and text[best.start:best.end] == best.text
    assert sum(pysbd_characters) < 100_000, sum(pysbd_characters)


def test_fold_words_gives_the_words_and_spans_of_fold():
    from briefing.authoring.quote import fold_words

    text = "« C’est L'Été — déjà ! »  ﬁn Straße e\u0301te\u0301 ¼x \u0301 a_b"
    folded = fold(text)
    words = fold_words(text)
    expected = [(m[0], folded.origins[m.start()], folded.ends[m.end() - 1]) for m in re.finditer(r"\S+", folded.text)]
    assert list(zip(words.texts, words.starts, words.ends)) == expected
