"""A dossier kept in memory between builds, rebuilt from what changed.

`briefing watch` is one process for a whole writing session: the libraries
are imported once, the fonts read once, the PDF worker started once. On each
change the session does only what the change calls for:

- a fact file edited in place (`sources/facts/*.yaml`): that file alone is
  read again and validated, the other facts are kept from memory, then the
  whole dossier is checked again (quotes, claims, discrepancies: they relate
  facts across files, so a partial check would not be correct);
- any other file of `sources/` (the articles, `sources.yaml`, `dossier.yaml`,
  the questions), a fact file added or removed, or a dossier that failed to
  load last time: the dossier is loaded and checked anew;
- a template: nothing is reloaded or checked; that template alone is composed
  again (a shared one such as `_base.md.j2`: every template).

The HTML is written first and handed to `publish` (the preview), then the
other formats; each group is written all or nothing, as `briefing build`
writes. A failed rebuild leaves the last good outputs in place.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..build import Output, compose_and_parse, output_folder, write_briefs
from ..errors import BriefingError, BriefingErrors, source_date_epoch
from ..render import Brief, get_format
from ..render.worker import RenderWorker

if TYPE_CHECKING:
    from ..check import CheckedDossier
    from ..compose.templates import TemplateFile
    from ..load import Dossier
    from ..load.model import Fact

PREVIEW_FORMAT = "html"


@dataclass(frozen=True)
class Rebuilt:
    """What one rebuild did, for the terminal and the preview."""

    outputs: tuple[Output, ...] = ()
    errors: tuple[str, ...] = ()  # `file:line: message` lines; empty when it succeeded
    warnings: tuple[str, ...] = ()
    reloaded: str = ""  # in words: what was read again
    seconds: float = 0.0
    html_seconds: float | None = None  # until the HTML was in place
    error_count: int = 0  # the errors found, of which `errors` shows the first (`errors.MAX_SHOWN`)


class Session:
    """`rebuild(None)` builds everything; `rebuild(paths)` what those changes affect."""

    def __init__(self, root: str | Path, templates: tuple[str, ...], formats: Iterable[str], out: str | Path | None = None,
                 strict: bool = False, publish: Callable[[dict[str, str], tuple[str, ...]], None] | None = None,
                 parallel: bool = True):
        source_date_epoch()  # a bad value is an error before any work
        self.root = Path(root)
        self.wanted = templates
        chosen = [get_format(name) for name in dict.fromkeys((PREVIEW_FORMAT, *formats))]
        self.html = [fmt for fmt in chosen if fmt.name == PREVIEW_FORMAT]
        self.others = [fmt for fmt in chosen if fmt.name != PREVIEW_FORMAT]
        self.out = output_folder(self.root, out)
        self.strict = strict
        self.publish = publish
        self.parallel = parallel and RenderWorker.worthwhile() and any(fmt.in_worker for fmt in self.others)
        self.dossier: Dossier | None = None
        self.fact_files: dict[Path, tuple[Fact, ...]] = {}  # the facts of each file, as last read
        self.checked: CheckedDossier | None = None
        self.warnings: tuple[str, ...] = ()
        self.briefs: dict[Path, Brief] = {}  # composed, by template path
        self.pages: dict[str, str] = {}  # the last good HTML, by template name
        self.failed = True  # the last rebuild did not finish: the next one builds every template
        self.worker: RenderWorker | None = RenderWorker.start() if self.parallel else None

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    def watched(self) -> list[Path]:
        """The folders whose changes matter: the dossier's sources and templates,
        and the folder of each template given as a path."""
        folders = [self.sources_dir, self.root / "templates"]
        for name in self.wanted:
            path = Path(name)
            if path.suffix == ".j2" or len(path.parts) > 1:
                folders.append(path.resolve().parent)
        found: list[Path] = []
        for folder in folders:
            if folder.is_dir() and not any(_inside(folder, other) for other in found):
                found = [other for other in found if not _inside(other, folder)] + [folder]
        return found

    def matters(self, path: Path) -> bool:
        """Whether a change of `path` can change a brief: a file there now, or one
        the last build read (a file an editor or `sed -i` wrote and removed is not)."""
        if path.exists():
            return True
        known = {*self.fact_files, *(source.path for source in self.dossier.sources)} if self.dossier else set()
        known |= {self.sources_dir / name for name in ("dossier.yaml", "sources.yaml", "questions.yaml")}
        known |= set(self.briefs)
        return path in known or path.suffix in (".j2", ".docx")

    def rebuild(self, changed: set[Path] | None = None) -> Rebuilt | None:
        """Rebuild for `changed` (None: everything); None when no change matters."""
        start = time.perf_counter()
        if changed is not None:
            changed = {path for path in changed if self.matters(path)}
            if not changed:
                return None
        try:
            reloaded = self._refresh(changed)
            templates = self._templates()
            affected = templates if changed is None or self.failed or reloaded else self._affected(templates, changed)
            self.briefs = {path: brief for path, brief in self.briefs.items() if path in {t.path for t in templates}}
            assert self.checked is not None  # _refresh raised otherwise
            for template in affected:
                self.briefs[template.path] = compose_and_parse(self.checked, template)
            outputs = write_briefs(self.checked, affected, self.html, self.out, composed=self.briefs)
            html_seconds = time.perf_counter() - start
            for output in outputs:
                self.pages[output.template] = output.path.read_text(encoding="utf-8")
            self.pages = {name: page for name, page in self.pages.items() if name in {t.name for t in templates}}
            if self.publish is not None:
                self.publish(dict(self.pages), ())
            if self.others:
                outputs += self._write_others(affected)
        except BriefingError as error:
            self.failed = True
            errors = tuple(error.lines() if isinstance(error, BriefingErrors) else [error.format_line()])
            if self.publish is not None:
                self.publish(dict(self.pages), errors)
            return Rebuilt(errors=errors, warnings=self.warnings, seconds=time.perf_counter() - start,
                           error_count=len(error.errors) if isinstance(error, BriefingErrors) else 1)
        self.failed = False
        return Rebuilt(tuple(outputs), (), self.warnings, reloaded or "nothing (templates only)",
                       time.perf_counter() - start, html_seconds)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    # Steps --------------------------------------------------------------------

    def _refresh(self, changed: set[Path] | None) -> str:
        """Load and check what the changes call for; say what was read again."""
        from ..check import check_dossier

        sources = None if changed is None else [path for path in changed if _inside(path, self.sources_dir)]
        reloaded = ""
        if sources is None or self.dossier is None or not self._reread_facts(sources):
            self._load()
            reloaded = "the whole dossier"
        elif sources:
            reloaded = ", ".join(sorted(str(path.relative_to(self.root)) for path in sources))
        if reloaded or self.checked is None:
            self.checked = None
            assert self.dossier is not None
            checked = check_dossier(self.dossier, strict=self.strict)
            self.warnings = tuple(warning.format_line() for warning in checked.warnings)
            self.checked = checked
            reloaded = reloaded or "nothing; checked again"
        return reloaded

    def _load(self) -> None:
        from ..load import load_dossier

        self.dossier, self.checked, self.fact_files = None, None, {}
        dossier = load_dossier(self.root)
        by_file: dict[str, list[Fact]] = {str(path): [] for path in self._fact_paths()}
        for fact in dossier.facts:
            by_file.setdefault(fact.where.file, []).append(fact)
        self.fact_files = {Path(name): tuple(facts) for name, facts in by_file.items()}
        self.dossier = dossier

    def _fact_paths(self) -> list[Path]:
        folder = self.sources_dir / "facts"
        return sorted(folder.glob("*.yaml")) if folder.is_dir() else []

    def _reread_facts(self, changed: list[Path]) -> bool:
        """Read again only the changed fact files, when that is all that changed
        and the set of fact files is the one loaded; False when it is not."""
        from ..errors import raise_all
        from ..load.dossier import MAX_FACTS, fact_limit
        from ..load.model import Fact
        from ..load.paths import resolve_inside
        from ..load.validate import validate_models
        from ..load.yamlfile import load_yaml

        paths = self._fact_paths()
        if set(paths) != set(self.fact_files) or not all(path in self.fact_files for path in changed):
            return False
        loaded = self.dossier
        assert loaded is not None
        read: dict[Path, tuple[Fact, ...]] = {}
        errors: list[BriefingError] = []
        room = MAX_FACTS - sum(len(facts) for path, facts in self.fact_files.items() if path not in changed)
        for path in changed:
            try:
                data = load_yaml(resolve_inside(self.root, path, "the fact file"), path, fact_limit(room))
            except BriefingError as error:
                data = error
            read[path] = tuple(validate_models(path, data, Fact, errors))
            room -= len(data) if isinstance(data, list) else 0
        if errors:  # the next change loads the whole dossier again
            self.dossier, self.checked, self.fact_files = None, None, {}
            raise_all(errors)
        self.fact_files.update(read)
        facts = tuple(fact for path in paths for fact in self.fact_files[path])
        self.dossier = dataclasses.replace(loaded, facts=facts)
        return True

    def _templates(self) -> list[TemplateFile]:
        from ..compose.templates import find_template, list_templates, unique_names

        if self.wanted:
            return unique_names([find_template(name, self.root) for name in dict.fromkeys(self.wanted)])
        return list_templates(self.root)

    def _affected(self, templates: list[TemplateFile], changed: set[Path]) -> list[TemplateFile]:
        """The templates a change of template files touches: the changed ones,
        or every one when a shared file (a base, macros, the styles) changed."""
        mine = {path.resolve() for path in changed}
        own = [template for template in templates if template.path.resolve() in mine]
        shared = mine - {template.path.resolve() for template in own}
        return templates if shared else own

    def _write_others(self, affected: list[TemplateFile]) -> list[Output]:
        if self.parallel and self.worker is None:
            self.worker = RenderWorker.start()
        assert self.checked is not None
        try:
            return write_briefs(self.checked, affected, self.others, self.out, self.worker, composed=self.briefs)
        except BaseException:
            self.worker = None  # write_briefs stopped it
            raise


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` lies in `folder` where it is, whatever it is: a file, or a link that leads
    elsewhere (a source text replaced by a link to a file outside the dossier is a change of the
    sources, which the load then refuses). The folder is taken as given and as it resolves, since
    the watcher may report either."""
    place = Path(os.path.abspath(path))
    return any(place.is_relative_to(base) for base in {Path(os.path.abspath(folder)), folder.resolve()})
