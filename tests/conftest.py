"""Shared test helpers: tiny dossiers built in a temp folder, and the repository's own."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the default build instead of comparing with it")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    """True when run with --update-golden: golden files are rewritten, not compared."""
    return request.config.getoption("--update-golden")


ARTICLE = (
    "Le président a reçu son homologue à Moscou le 23 juin 2025. "
    "« Nous obtenons de bons résultats », a-t-il déclaré.\n"
    "Trois accords ont été signés, dont un sur l’énergie nucléaire.\n"
)

CONFIG = {
    "title": "Test brief",
    "subject": "A small dossier for tests",
    "organisation": "Test Desk",
    "author": "Tester",
    "date": "2025-06-24",
    "reference": "T-1",
    "marking": "UNCLASSIFIED",
    "sections": [
        {"id": "summary", "title": "Executive summary"},
        {"id": "accords", "title": "Accords"},
    ],
}


def default_facts() -> list[dict]:
    return [
        {
            "id": "meeting", "section": "summary", "headline": True,
            "claim": "The president received his counterpart in Moscow on 23 June 2025.",
            "evidence": [{"source": "one", "quote": "Le président a reçu son homologue à Moscou le 23 juin 2025."}],
        },
        {
            "id": "accords", "section": "accords", "headline": True, "key": "accords.count", "value": 3,
            "claim": "Three accords were signed, one of them on nuclear energy.",
            "evidence": [{"source": "one", "quote": "Trois accords ont été signés, dont un sur l'énergie nucléaire."}],
        },
    ]


def make_dossier(root: Path, *, config: dict | None = None, sources: list[dict] | None = None,
                 texts: dict[str, str | bytes] | None = None, facts: list[dict] | None = None,
                 questions: list[dict] | None = None, templates: dict[str, str] | None = None) -> Path:
    """Write a small, valid dossier under `root`; any part can be replaced.

    A `facts` list is written as sources/facts/facts.yaml; `texts` maps a
    source id to its article (str or raw bytes); `templates` maps file names
    to template text under templates/. Sources made from `texts` carry the
    fingerprint of their text (`sha256`).
    """
    folder = root / "sources"
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    (folder / "facts").mkdir(exist_ok=True)
    texts = texts if texts is not None else {"one": ARTICLE}
    if sources is None:  # fingerprinted, as add-source writes them
        from briefing.check.fingerprints import fingerprint

        sources = [
            {"id": source_id, "file": f"texts/{source_id}.txt", "outlet": f"Outlet {source_id}", "author": "unknown",
             "date": "2025-06-23", "language": "fr", "reliability": "B", "reliability_reason": "test source",
             "sha256": fingerprint(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)}
            for source_id, text in texts.items()
        ]
    for source_id, text in texts.items():
        path = folder / "texts" / f"{source_id}.txt"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    _dump(folder / "dossier.yaml", config if config is not None else CONFIG)
    _dump(folder / "sources.yaml", sources)
    _dump(folder / "facts" / "facts.yaml", facts if facts is not None else default_facts())
    if questions is not None:
        _dump(folder / "questions.yaml", questions)
    for name, text in (templates or {}).items():
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    return make_dossier(tmp_path / "dossier")


@pytest.fixture
def default_dossier(tmp_path: Path) -> Path:
    """A copy of the repository's own dossier (sources/ and templates/)."""
    target = tmp_path / "default"
    shutil.copytree(REPO / "sources", target / "sources")
    shutil.copytree(REPO / "templates", target / "templates")
    return target


EPOCH = "1750723200"  # 2025-06-24 00:00 UTC, for reproducible builds


def build_default(out: Path, formats: tuple[str, ...]) -> Path:
    """Build every template of the repository's dossier into `out`, reproducibly."""
    from briefing.build import build_briefs

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_briefs(REPO, (), formats, out)
    return out


def error_lines(call, *args) -> list[str]:
    """The `file:line: message` lines of the BriefingError(s) that `call(*args)` raises."""
    from briefing.errors import BriefingError, BriefingErrors

    with pytest.raises(BriefingError) as caught:
        call(*args)
    error = caught.value
    return [e.format_line() for e in (error.errors if isinstance(error, BriefingErrors) else [error])]


def require(program: str) -> str:
    """Skip when a system program is missing; under CI a skip is turned into a failure."""
    path = shutil.which(program)
    if path is None:
        reason = f"{program} is not installed (apt-get install {PACKAGES.get(program, program)})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must install it (.ci/run)")
        pytest.skip(reason)
    return path


PACKAGES = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "qpdf": "qpdf",
            "libreoffice": "libreoffice-writer-nogui", "chromium": "chromium", "java": "default-jre-headless"}
