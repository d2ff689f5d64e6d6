"""The package as a newcomer meets it: a folder per stage, code checks clean,
and `briefing --help` that imports no heavy library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"
# preview: `briefing watch`, a long-lived build above every stage, as build.py is
STAGES = {"load", "check", "compose", "render", "mail", "authoring", "cli", "preview"}
TOP_LEVEL = {"__init__.py", "__main__.py", "build.py", "errors.py", "parse.py", "document.py"}


def test_the_folder_tree_reads_as_the_pipeline():
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"}
    modules = {path.name for path in PACKAGE.glob("*.py")}
    assert folders == STAGES
    assert modules == TOP_LEVEL


def test_no_stage_imports_the_orchestrator_or_a_later_stage():
    """Data flows one way: load → check → compose → parse → render → mail."""
    order = ["load", "check", "compose", "parse", "render", "mail"]
    for position, stage in enumerate(order):
        files = [PACKAGE / f"{stage}.py"] if stage == "parse" else sorted((PACKAGE / stage).rglob("*.py"))
        later = order[position + 1:] + ["build", "cli", "authoring"]
        for path in files:
            text = path.read_text(encoding="utf-8")
            for other in later:
                for prefix in ("from ..", "from ...", "from briefing."):
                    assert f"{prefix}{other} import" not in text and f"{prefix}{other}." not in text, \
                        f"{path.relative_to(PACKAGE)} imports {other}"


def test_briefing_help_imports_no_heavy_library():
    code = ("import sys\nfrom briefing.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    heavy = {"reportlab", "docx", "jinja2", "pydantic", "yaml", "markdown_it", "rapidfuzz", "lxml", "multiprocessing"}
    assert "Usage: " in done.stdout
    assert not heavy & {name.split(".")[0] for name in loaded}


@pytest.mark.parametrize("command", [["ruff", "check", "briefing"], ["mypy"]], ids=["ruff", "mypy"])
def test_the_code_checks_are_clean(command):
    done = subprocess.run([sys.executable, "-m", *command], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
