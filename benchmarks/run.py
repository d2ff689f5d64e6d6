"""Time whole `briefing` processes, and pandoc on the same Markdown.

    python benchmarks/run.py                     # default dossier + 1,000 / 2,000 / 5,000 / 20,000 facts
    python benchmarks/run.py --quick             # default dossier + 1,000 facts, fewer runs
    python benchmarks/run.py --sizes 1000,5000 --runs 5 --large-runs 3

Every measurement is a fresh process of the `briefing` console script of this
Python environment, as a user would run it (after one warm-up build, so that
compiled modules are cached as after an install): wall time is the median of
several runs, peak memory the most the command held at once, with the PDF
worker it forks counted in (see `run_once`). Synthetic dossiers
(benchmarks/make_dossier.py, N = M / 10 sources) and all outputs go to a
temporary folder, removed at the end.

pandoc (the Debian package) converts the brief's composed Markdown
(`briefing build -f md`) to DOCX in the same run; it is given a footnote
definition per citation (claim, source, quote), so it makes the footnotes our
DOCX has. The "vs pandoc" column is our DOCX time divided by pandoc's.
The 2,000-fact dossier gives a ~400-page analyst brief: the "large" targets
apply to it. The table is Markdown, ready for the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_dossier import make_dossier  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LARGE = 2000  # facts: the analyst brief runs to ~400 pages
# Children run as after a normal install: compiled modules cached (in a folder of
# the run, whatever PYTHONDONTWRITEBYTECODE says), reproducible dates.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["SOURCE_DATE_EPOCH"] = "1750636800"


@dataclass
class Row:
    dossier: str
    what: str
    seconds: list[float] = field(default_factory=list)
    peak_kb: int = 0
    output: Path | None = None
    pages: int | None = None
    size: int | None = None
    pandoc: "Row | None" = None
    target: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def briefing_command() -> list[str]:
    """The console script installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "briefing"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("briefing")
    if found:
        return [found]
    sys.exit("benchmarks: no 'briefing' command; install the package (pip install -e .)")


def run_once(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak memory (KB) of one command; fails loudly if it fails.

    `briefing build` forks a worker that lays out PDFs, so the peak is the
    larger of the biggest single process (from wait4) and the most the command
    and its children held at once (their proportional set sizes, summed: see
    `TreeMemory`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=ENV)
        sampler = TreeMemory(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            sys.exit(f"benchmarks: {' '.join(argv)} failed ({process.returncode}):\n{err.read().decode(errors='replace')}")
    return elapsed, max(usage.ru_maxrss, sampler.peak_kb)


class TreeMemory:
    """The most memory a process and its descendants held together, sampled
    while there are several of them (wait4 gives a lone process's peak).

    Reading a proportional set size walks the process's page tables: 11 ms for
    a process of 1 GB, which slowed the largest builds by a third when read every
    20 ms. So the interval grows with the run: 20 ms at first, 250 ms after 5 s."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb = pid, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        start = time.perf_counter()
        while not self._done.wait(min(0.25, max(0.02, (time.perf_counter() - start) / 20))):
            tree = _tree(self.pid)
            if len(tree) > 1:
                self.peak_kb = max(self.peak_kb, sum(_resident_kb(pid) for pid in tree))


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # ended meanwhile, or no /proc here
            pass
    return found


def _resident_kb(pid: int) -> int:
    """Proportional set size: pages shared after fork count once across processes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(row: Row, argv: list[str], runs: int, cwd: Path) -> Row:
    for _ in range(runs):
        seconds, peak = run_once(argv, cwd)
        row.seconds.append(seconds)
        row.peak_kb = max(row.peak_kb, peak)
    if row.output is not None:
        row.size = row.output.stat().st_size
    if row.output is not None and row.output.suffix == ".pdf":
        from pypdf import PdfReader

        row.pages = len(PdfReader(str(row.output)).pages)
    print(f"  {row.dossier:>22}  {row.what:<40} {row.median:7.2f} s", file=sys.stderr, flush=True)
    return row


def pandoc_markdown(dossier: Path, composed: Path, target: Path) -> None:
    """The composed Markdown plus a footnote definition for every citation."""
    from briefing.check import check_dossier
    from briefing.compose.brief import note_contents
    from briefing.compose.language import language
    from briefing.load import load_dossier

    notes = note_contents(check_dossier(load_dossier(dossier)), language("en"))
    lines = [composed.read_text(encoding="utf-8"), ""]
    for key, note in notes.items():
        evidence = " ".join(f"{entry.descriptor}: «\u00a0{' '.join(entry.quote.split())}\u00a0» [{entry.language}]."
                            for entry in note.entries)
        lines.append(f"[^{key}]: {' '.join(note.claim.split())} {evidence} {note.support}")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench_dossier(label: str, dossier: Path, work: Path, runs: int, briefing: list[str], pandoc: str | None,
                  default: bool) -> list[Row]:
    out = work / "out" / label.replace(" ", "-").replace(",", "")
    out.mkdir(parents=True, exist_ok=True)
    build = briefing + ["build", "--dossier", str(dossier), "--out", str(out)]
    rows = [measure(Row(label, "`briefing check`"), briefing + ["check", "--dossier", str(dossier)], runs, work)]
    rows += bench_authoring(label, dossier, work, runs, briefing)
    if default:
        rows.append(measure(Row(label, "`build -t analyst -f docx -f pdf`", output=None, target="≤ 0.6 s"),
                            build + ["-t", "analyst", "-f", "docx", "-f", "pdf"], runs, work))
        rows.append(measure(Row(label, "`build` (every template, DOCX and PDF)", target="≤ 1.0 s"),
                            build + ["-f", "docx", "-f", "pdf"], runs, work))
        rows.append(measure(Row(label, "`build --lang en --lang fr` (every template, both languages)", target="≤ 2.0 s"),
                            build + ["-f", "docx", "-f", "pdf", "--lang", "en", "--lang", "fr"], runs, work))
        rows.append(measure(Row(label, "`build -t analyst -f html`", output=out / "analyst.html"),
                            build + ["-t", "analyst", "-f", "html"], runs, work))
    rows.append(measure(Row(label, "`build -t analyst -f md`", output=out / "analyst.md"), build + ["-t", "analyst", "-f", "md"], runs, work))
    large = label.startswith(f"{LARGE:,} ")
    rows.append(measure(Row(label, "`build -t analyst -f pdf`", output=out / "analyst.pdf",
                            target="≤ 5 s, ≤ 200 MB" if large else ""),
                        build + ["-t", "analyst", "-f", "pdf"], runs, work))
    docx = measure(Row(label, "`build -t analyst -f docx`", output=out / "analyst.docx",
                       target="≤ 2.5 s, < pandoc, ≤ 200 MB" if large else ""),
                   build + ["-t", "analyst", "-f", "docx"], runs, work)
    rows.append(docx)
    if pandoc:
        source = work / f"{out.name}-pandoc.md"
        pandoc_markdown(dossier, out / "analyst.md", source)
        target = work / f"{out.name}-pandoc.docx"
        docx.pandoc = measure(Row(label, "pandoc → DOCX", output=target),
                              [pandoc, "-f", "markdown", "-t", "docx", str(source), "-o", str(target)], runs, work)
        rows.append(docx.pandoc)
    return rows


def bench_authoring(label: str, dossier: Path, work: Path, runs: int, briefing: list[str]) -> list[Row]:
    """`briefing quote` (the first six words of the dossier's first quote, typed in lower case, in the
    source they come from) and `briefing sources --coverage`."""
    from briefing.load import load_dossier

    evidence = load_dossier(dossier).facts[0].evidence[0]
    fragment = " ".join(evidence.quote.lower().split()[:6])
    return [measure(Row(label, "`briefing quote`"), briefing + ["quote", evidence.source, fragment, "--dossier", str(dossier)],
                    runs, work),
            measure(Row(label, "`sources --coverage`"), briefing + ["sources", "--coverage", "--dossier", str(dossier)],
                    runs, work)]


def bench_long_sentence(work: Path, runs: int, briefing: list[str]) -> list[Row]:
    """`quote` and `sources --coverage` on the default dossier with a line of 1.6 MB that never ends a
    sentence added to its first source: a long text, segmented and searched in bounded time."""
    import random

    from briefing.load import load_dossier

    dossier = work / "long-sentence"
    shutil.copytree(REPO / "sources", dossier / "sources")
    loaded = load_dossier(dossier)
    source = next(s for s in loaded.sources if s.id == loaded.facts[0].evidence[0].source)  # the one `quote` searches
    words = source.text.split()
    pick = random.Random(1).choice
    line = " ".join(pick(words).strip(".!?…") for _ in range(230_000))[:1_600_000]
    path = dossier / "sources" / source.meta.file
    path.write_text(source.text + line + "\n", encoding="utf-8")
    run_once(briefing + ["sources", "--accept", source.meta.id, "--dossier", str(dossier)], work)
    return bench_authoring("one sentence of 1.6 MB", dossier, work, runs, briefing)


def bench_long_text(work: Path, runs: int, briefing: list[str], size: int = 11_000_000) -> list[Row]:
    """`quote` and `sources --coverage` on the default dossier with 11 MB of ordinary sentences (its
    first source's words, in lines of a few sentences) added to the source `quote` searches: a text
    too long to segment whole, searched by the places that share the fragment's words."""
    import random

    from briefing.load import load_dossier

    dossier = work / "long-text"
    shutil.copytree(REPO / "sources", dossier / "sources")
    loaded = load_dossier(dossier)
    source = next(s for s in loaded.sources if s.id == loaded.facts[0].evidence[0].source)
    words = [word.strip(".!?…") for word in source.text.split()]
    pick = random.Random(2).choice
    lines, length = [], 0
    while length < size:
        line = " ".join(" ".join(pick(words) for _ in range(15)).capitalize() + "." for _ in range(4))
        lines.append(line)
        length += len(line) + 1
    path = dossier / "sources" / source.meta.file
    path.write_text(source.text + "\n".join(lines) + "\n", encoding="utf-8")
    run_once(briefing + ["sources", "--accept", source.meta.id, "--dossier", str(dossier)], work)
    return bench_authoring(f"{size // 1_000_000} MB of sentences", dossier, work, runs, briefing)


FACT_FILE = Path("sources") / "facts" / "visit.yaml"  # the meeting, the bottom line's first fact
CLAIM = "at the Kremlin on 23 June."


def bench_watch(work: Path, runs: int, briefing: list[str]) -> list[Row]:
    """`briefing watch -t analyst -f pdf` on a copy of the default dossier: save
    a fact file, then time until the preview has the new page (its event
    arrived and the page it reloads was fetched) and until the PDF changed."""
    import urllib.request

    dossier = work / "watch-dossier"
    shutil.copytree(REPO / "sources", dossier / "sources")
    shutil.copytree(REPO / "templates", dossier / "templates")
    out = dossier / "out"
    process = subprocess.Popen(briefing + ["watch", "--dossier", str(dossier), "-t", "analyst", "-f", "pdf", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV, stdin=subprocess.DEVNULL)
    html_row = Row("default", "`watch`: save a fact → HTML preview refreshed", target="≤ 0.3 s")
    pdf_row = Row("default", "`watch`: save a fact → analyst PDF rewritten", target="≤ 0.6 s")
    try:
        assert process.stdout is not None
        lines = iter(process.stdout.readline, "")
        url = next(line for line in lines if line.startswith("preview: ")).split()[1]
        next(line for line in lines if " built " in line or "error:" in line)
        events: list[float] = []
        arrived = threading.Event()

        def listen() -> None:
            with urllib.request.urlopen(url + "_events") as stream:
                for raw in stream:
                    if raw.startswith(b"data: "):
                        events.append(time.perf_counter())
                        arrived.set()

        threading.Thread(target=listen, daemon=True).start()
        arrived.wait(10)
        path = dossier / FACT_FILE
        original = path.read_text(encoding="utf-8")
        for run in range(runs + 1):  # the first edit warms the worker's caches up: not counted
            before_pdf = (out / "analyst.pdf").read_bytes()
            arrived.clear()
            start = time.perf_counter()
            path.write_text(original.replace(CLAIM, f"at the Kremlin on 23 June (edit {run}).", 1), encoding="utf-8")
            if not arrived.wait(10):
                sys.exit("benchmarks: briefing watch published no new preview within 10 s")
            with urllib.request.urlopen(url + "analyst.html") as page:  # what the browser reloads
                assert f"(edit {run})" in page.read().decode("utf-8")
            html = time.perf_counter() - start
            while (out / "analyst.pdf").read_bytes() == before_pdf:
                if time.perf_counter() - start > 10:
                    sys.exit("benchmarks: briefing watch did not rewrite the PDF within 10 s")
                time.sleep(0.002)
            pdf = time.perf_counter() - start
            next(line for line in lines if " built " in line or "error:" in line)
            if run:
                html_row.seconds.append(html)
                pdf_row.seconds.append(pdf)
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    html_row.output, pdf_row.output = out / "analyst.html", out / "analyst.pdf"
    html_row.size, pdf_row.size = html_row.output.stat().st_size, pdf_row.output.stat().st_size
    for row in (html_row, pdf_row):
        print(f"  {row.dossier:>22}  {row.what:<40} {row.median:7.2f} s", file=sys.stderr, flush=True)
    return [html_row, pdf_row]


def human_size(size: int | None) -> str:
    if size is None:
        return "—"
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def table(rows: list[Row]) -> str:
    lines = ["| Dossier | Command | Median | Runs | Peak memory | Output | Pages | vs pandoc | Target |",
             "|---|---|--:|--:|--:|--:|--:|--:|---|"]
    for row in rows:
        ratio = f"{row.median / row.pandoc.median:.2f}×" if row.pandoc else ""
        lines.append(
            f"| {row.dossier} | {row.what} | {row.median:.2f} s | {len(row.seconds)} "
            f"| {f'{row.peak_kb / 1024:,.0f} MB' if row.peak_kb else '—'} "
            f"| {human_size(row.size)} | {row.pages if row.pages is not None else '—'} | {ratio} | {row.target} |"
        )
    return "\n".join(lines)


def growth(rows: list[Row], small: int, large: int) -> list[str]:
    found = []
    for what in ("`briefing check`", "`build -t analyst -f md`", "`build -t analyst -f pdf`", "`build -t analyst -f docx`"):
        times = {row.dossier.split(" ")[0]: row.median for row in rows if row.what == what}
        a, b = times.get(f"{small:,}"), times.get(f"{large:,}")
        if a and b:
            found.append(f"{what}: {b / a:.2f}")
    return found


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time briefing's commands as whole processes, against pandoc.")
    parser.add_argument("--sizes", default=f"1000,{LARGE},5000,20000", help="facts per synthetic dossier, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per command, default dossier and up to 2,000 facts (5)")
    parser.add_argument("--large-runs", type=int, default=3, help="runs per command above 2,000 facts (3)")
    parser.add_argument("--quick", action="store_true", help="default dossier and 1,000 facts, 3 runs")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic dossiers (1)")
    parser.add_argument("--no-pandoc", action="store_true", help="skip the pandoc comparison")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else [int(size) for size in args.sizes.split(",") if size.strip()]
    runs = 3 if args.quick else args.runs
    briefing = briefing_command()
    pandoc = None if args.no_pandoc else shutil.which("pandoc")
    if not args.no_pandoc and pandoc is None:
        print("benchmarks: pandoc not found (apt-get install pandoc); skipping the comparison", file=sys.stderr)

    started = time.strftime("%Y-%m-%d %H:%M")
    load_before = load_average()
    work = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    try:
        for warm_up in (["check", "--dossier", str(REPO)], ["build", "--dossier", str(REPO), "--out", str(work / "warm-up")]):
            run_once(briefing + warm_up, work)  # compiles every module once, fills the file cache
        rows = [measure(Row("—", "`briefing --help`", target="≤ 0.10 s"), briefing + ["--help"], max(runs, 5), work)]
        rows += bench_dossier("default", REPO, work, runs, briefing, pandoc, default=True)
        rows += bench_watch(work, max(runs, 5), briefing)
        rows += bench_long_sentence(work, runs, briefing)
        rows += bench_long_text(work, min(runs, 3), briefing)
        for size in sizes:
            sources = max(5, size // 10)
            dossier = make_dossier(work / f"dossier-{size}", size, sources, args.seed)
            label = f"{size:,} facts, {sources:,} sources"
            rows += bench_dossier(label, dossier, work, runs if size <= LARGE else args.large_runs, briefing, pandoc,
                                  default=False)
            shutil.rmtree(work / "out", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    default_facts = _fact_count(rows)
    for row in rows:
        if row.dossier.startswith("default") and default_facts:
            row.dossier = f"default ({default_facts} facts)"
        if row.dossier.startswith("20,000") and row.what == "`briefing check`":
            row.target = "≤ 3 s"

    pandoc_version = ""
    if pandoc:
        pandoc_version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"Measured {started} on {platform.machine()} with {os.cpu_count()} CPUs, Python {platform.python_version()}"
          f"{', ' + pandoc_version if pandoc_version else ''}; load average {load_before} before, {load_average()} after.")
    print()
    print(table(rows))
    print()
    if 5000 in sizes and 20000 in sizes:
        print("Growth, time(20,000 facts) / time(5,000 facts), target ≤ 4.5: " + "; ".join(growth(rows, 5000, 20000)) + ".")
    return 0


def _fact_count(rows: list[Row]) -> int | None:
    """How many facts the default dossier has (it grows as analysts add them)."""
    try:
        from briefing.load import load_dossier

        return len(load_dossier(REPO).facts)
    except Exception:  # the table stays readable without it
        return None


if __name__ == "__main__":
    sys.exit(main())
