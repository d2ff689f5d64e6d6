"""Syndication: sources that share most of their text without a common origin
are warned about, once per pair, by `check` and by `add-source`."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ARTICLE, make_dossier

from briefing.check import check_dossier
from briefing.check.syndication import find_shared_texts
from briefing.cli import cli
from briefing.errors import BriefingError
from briefing.load import load_dossier

WORDS = ("le la les un une des accord ministre président gouvernement sécurité coopération énergie or mine raffinerie "
         "Bamako Moscou visite sommet délégation signé annoncé confirmé prévu projet budget tonnes milliards francs "
         "région nord sud armée formation cadres bourses étudiants commerce blé engrais").split()


def article(seed: int, words: int = 400) -> str:
    """Made-up prose with a vocabulary small enough that any two articles share many phrases."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)) + ".\n"


def fact(source: str, quote: str) -> dict:
    return {"id": f"f-{source}", "section": "summary", "claim": "c", "evidence": [{"source": source, "quote": quote}]}


def check(root: Path, strict: bool = False):
    return check_dossier(load_dossier(root), strict=strict)


def test_two_sources_with_the_same_text_and_no_origin_are_warned_once(tmp_path):
    root = make_dossier(tmp_path / "d", texts={"one": ARTICLE, "two": ARTICLE.replace("\n", "\r\n")})
    (warning,) = check(root).warnings
    assert warning.format_line() == (
        f"{root}/sources/sources.yaml:10: warning: sources 'one' and 'two' share 100 % of their text but no "
        "'origin'; if one copies the other, give both the same origin: so they count once")
    with pytest.raises(BriefingError):
        check(root, strict=True)


def test_a_copy_cut_short_or_lengthened_still_shares_most_of_its_text(tmp_path):
    original = article(1)
    words = original.split()
    texts = {"wire": original, "cut": " ".join(words[:250]) + "\n", "longer": original + article(2),
             "other": article(3)}
    root = make_dossier(tmp_path / "d", texts=texts, facts=[fact("wire", " ".join(words[:3]))])
    pairs = {tuple(w.message.split("'")[1:4:2]): w.message.split(" share ")[1].split(" of")[0] for w in check(root).warnings}
    assert pairs == {("wire", "cut"): "100 %", ("wire", "longer"): "100 %", ("cut", "longer"): "100 %"}


def test_sources_with_a_common_origin_are_not_warned(tmp_path):
    texts = {"one": ARTICLE, "two": ARTICLE}
    sources = [{"id": s, "file": f"texts/{s}.txt", "reliability": "B", "origin": "agency"} for s in texts]
    root = make_dossier(tmp_path / "d", texts=texts, sources=sources)
    assert [w for w in check(root).warnings if "share" in w.message] == []
    sources[1]["origin"] = "another-agency"
    root = make_dossier(tmp_path / "e", texts=texts, sources=sources)
    assert ["but no common 'origin'" in w.message for w in check(root).warnings if "share" in w.message] == [True]


def test_sharing_less_than_the_rule_is_not_warned():
    base = article(4).split()
    # every fourth word changed: about a third of the 5-grams survive
    edited = [word if i % 4 else "autrement" for i, word in enumerate(base)]
    assert find_shared_texts([" ".join(base), " ".join(edited)]) == []
    # half the words the same, then different: 50 % of the shorter one's 5-grams
    half = base[:200] + article(5, 200).split()
    assert find_shared_texts([" ".join(base), " ".join(half)]) == []
    three_quarters = base[:300] + article(6, 100).split()
    (pair,) = find_shared_texts([" ".join(base), " ".join(three_quarters)])
    assert (pair.first, pair.second) == (0, 1) and 0.7 < pair.share < 0.8


def test_copies_are_found_among_many_articles_whatever_their_length():
    texts = [article(seed, 300 + seed % 5 * 100) for seed in range(300)]
    texts[120] = texts[7]
    texts[250] = " ".join(texts[33].split()[:150])  # short: too short to sample
    texts[251] = texts[90].upper()
    found = [(pair.first, pair.second) for pair in find_shared_texts(texts)]
    assert found == [(7, 120), (33, 250), (90, 251)]


def test_add_source_warns_about_a_text_it_shares_most_of(tmp_path):
    root = make_dossier(tmp_path / "d")
    copy = tmp_path / "copy.txt"
    copy.write_text("Dépêche reprise.\n" + ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["add-source", str(copy), "-d", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{root}/sources/sources.yaml:11: warning: sources 'one' and 'copy' share 100 % of their text but no "
        "'origin'; if one copies the other, give both the same origin: so they count once\n")


def test_add_source_refuses_a_text_the_dossier_holds_already(tmp_path):
    root = make_dossier(tmp_path / "d")
    same = tmp_path / "same.txt"
    same.write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    before = (root / "sources" / "sources.yaml").read_bytes()
    result = CliRunner().invoke(cli, ["add-source", str(same), "-d", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (f"error: {same}: this text is in the dossier already, as source 'one' (texts/one.txt, "
                             "the same sha256); nothing added\n")
    assert (root / "sources" / "sources.yaml").read_bytes() == before
    assert not (root / "sources" / "texts" / "same.txt").exists()


def test_add_source_records_the_fingerprint(tmp_path):
    root = make_dossier(tmp_path / "d")
    new = tmp_path / "new.txt"
    new.write_bytes(b"Un texte nouveau.\r\nSur deux lignes.")
    assert CliRunner().invoke(cli, ["add-source", str(new), "-d", str(root)]).exit_code == 0
    assert check(root, strict=True).warnings == ()
    from briefing.check.fingerprints import fingerprint
    assert load_dossier(root).sources[-1].meta.sha256 == fingerprint("Un texte nouveau.\nSur deux lignes.\n")
