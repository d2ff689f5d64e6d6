"""`briefing watch`: rebuild on every save and show the brief in a browser."""

from __future__ import annotations

import click

from ..render import FORMATS
from .options import dossier_option, echo, strict_option


@click.command()
@dossier_option
@click.option("--template", "-t", "templates", multiple=True, metavar="NAME|PATH",
              help="Template name or path to a .md.j2 file; repeatable. Default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(list(FORMATS), case_sensitive=False),
              help="Also write this format on each change (the HTML always is); repeatable, e.g. -f pdf.")
@click.option("--out", "-o", "out_dir", type=click.Path(), default=None,
              help="Output folder. Default: out/ inside the dossier.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port of the preview (0: any free port).")
@click.option("--bind", "host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address the preview listens on; anything but a loopback address shares the dossier with the network.")
@strict_option
def watch(dossier: str, templates: tuple[str, ...], formats: tuple[str, ...], out_dir: str | None, port: int,
          host: str, strict: bool) -> None:
    """Watch the dossier: rebuild on each save, and serve the HTML preview,
    which reloads by itself.

    A change that breaks the dossier shows its errors here and in the page;
    the last good outputs stay in place. Ctrl-C ends it.

    \b
    Examples:
      briefing watch                      every template, preview at http://127.0.0.1:8000/
      briefing watch -t analyst -f pdf    the analyst brief, its PDF rewritten on each save too
      briefing watch --port 0             any free port (the URL is printed)
    """
    import time

    from ..preview import Rebuilt, watch_dossier

    def started(url: str, folders) -> None:
        echo(f"watching {', '.join(str(folder) for folder in folders)}")
        echo(f"preview: {url}  (Ctrl-C to stop)")

    def report(rebuilt: Rebuilt) -> None:
        stamp = time.strftime("%H:%M:%S")
        if rebuilt.errors:
            echo("\n".join(f"error: {line}" for line in rebuilt.errors), err=True)
            count = rebuilt.error_count or len(rebuilt.errors)
            echo(f"{stamp} not rebuilt ({count:,} error{'s' if count != 1 else ''}); "
                 "the last good outputs stay in place", err=True)
            return
        if rebuilt.warnings:
            echo("\n".join(rebuilt.warnings), err=True)
        names = ", ".join(output.path.name for output in rebuilt.outputs)
        html = f", HTML in {rebuilt.html_seconds:.2f} s" if rebuilt.html_seconds is not None else ""
        echo(f"{stamp} built {names} in {rebuilt.seconds:.2f} s{html} (read again: {rebuilt.reloaded})")

    try:
        watch_dossier(dossier, templates, formats, out_dir, host, port, strict, started, report)
    except KeyboardInterrupt:
        echo("stopped", err=True)
