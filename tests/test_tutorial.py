"""The README's "Your first dossier" runs as written, so the tutorial can never rot.

Every ```sh block of the section is run with bash, in order, in one empty
folder; where a ```text block follows, it is what that step prints. Other
fences (```bash for the shell completion line) are shown to the reader only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

HEADING = "## Your first dossier"


def tutorial_section(readme: str) -> str:
    """The section's text, up to the next level-2 heading outside a code fence."""
    lines = readme.splitlines()
    start = lines.index(HEADING)
    section, fenced = [], False
    for line in lines[start + 1:]:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            break
        section.append(line)
    return "\n".join(section) + "\n"


def tutorial_steps(section: str) -> list[tuple[str, str | None]]:
    """(commands, expected output or None) for each ```sh block, in order."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)
    steps: list[tuple[str, str | None]] = []
    for index, (language, body) in enumerate(blocks):
        if language == "sh":
            following = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
            steps.append((body, following[1] if following[0] == "text" else None))
    return steps


STEPS = tutorial_steps(tutorial_section((REPO / "README.md").read_text(encoding="utf-8")))


def test_the_tutorial_has_every_step_of_the_issue() -> None:
    commands = "".join(body for body, _ in STEPS)
    for expected in ("briefing init mydossier", "cat > orvane-agreement.html", "commission-communique.pdf", "briefing add-source",
                     "briefing quote", "cat >> mydossier/sources/facts/", "briefing check",
                     "briefing build --dossier mydossier --template executive"):
        assert expected in commands, expected


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {key: value for key, value in os.environ.items() if key != "BRIEFING_DOSSIER"}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    if shutil.which("briefing", path=env["PATH"]) is None:
        pytest.fail("the 'briefing' command is not installed beside this Python; pip install . first")
    for number, (commands, expected) in enumerate(STEPS, 1):
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"step {number} failed:\n{commands}\n{result.stderr}"
        if expected is not None:
            assert result.stdout == expected, f"step {number} printed something else than the README shows"
    out = tmp_path / "mydossier" / "out"
    assert sorted(path.name for path in out.iterdir()) == ["executive.docx", "executive.pdf"]
    assert (out / "executive.pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(path.name for path in (tmp_path / "demo" / "out").glob("executive.*")) == ["executive.docx", "executive.pdf"]
