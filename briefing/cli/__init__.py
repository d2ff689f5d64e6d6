"""The `briefing` command. Each command parses its options and calls one
library function; heavy libraries are imported inside the commands, so
`briefing --help` starts at once. The commands live in four modules:
`briefs` (build, check, templates), `dossier` (init, add-source, quote,
facts, sources), `mail` and `watch`."""

from __future__ import annotations

import gc
import os
import signal
import sys

import click

from .. import __version__
from ..errors import BriefingError, terminal_text


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="briefing")
@click.option("--debug", is_flag=True, help="Show the full traceback of unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Source-cited policy briefs: curated facts, verbatim quotes, DOCX and PDF.

    \b
    Examples:
      briefing check                      verify every quote of the dossier here
      briefing build                      every template, DOCX and PDF, into out/
      briefing build -t executive -f pdf  the one-page note as PDF only
    """
    ctx.obj = {"debug": debug}


def _register() -> None:
    """Commands are registered explicitly; each module imports only Click at load time."""
    from .briefs import build, check, templates
    from .dossier import add_source, facts, init, quote, remove_source, rename_source, sources
    from .mail import mail
    from .watch import watch

    for command in (build, check, templates, watch, mail, init, add_source, remove_source, rename_source, quote, facts, sources):
        cli.add_command(command)


_register()


def set_collector_policy() -> None:
    """A large dossier is hundreds of thousands of long-lived objects that form
    no cycles; with the default thresholds the cyclic collector walks them
    again and again as they accumulate. Collecting the youngest generation
    less often keeps that cost small; reference counting still frees at once
    whatever is dropped. Set here, for this process, and nowhere else."""
    gc.set_threshold(50_000, 20, 20)


INTERRUPTED = 130  # the exit status after Ctrl-C


def run(args: list[str]) -> int:
    """Run the command `args` (without the program name) and return its exit
    status: expected errors are one line on stderr; a bug is one line too, or
    its traceback under --debug. Never exits, so tests can call it in-process."""
    try:
        cli.main(list(args), standalone_mode=False)
    except click.ClickException as error:  # BriefingError is one
        if not isinstance(error, BriefingError):  # Click's own: its message may quote an argument
            error.message = terminal_text(error.message, one_line=True)  # type: ignore[misc]
        error.show()
        return error.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C (Click makes most, not all, of them Abort)
        click.echo("interrupted; earlier outputs are unchanged", err=True)
        return INTERRUPTED
    except click.exceptions.Exit as done:
        return done.exit_code
    except Exception as error:  # a bug: say so plainly
        if "--debug" in args:
            raise
        message = terminal_text(f"{type(error).__name__}: {error}", one_line=True)
        click.echo(f"internal error: {message} (run with --debug for the traceback)", err=True)
        return 1
    return 0


def _interrupt(number: int, frame) -> None:
    raise KeyboardInterrupt


def handle_termination() -> None:
    """SIGTERM (kill, a service manager) and SIGHUP (the terminal closed) end a
    command as Ctrl-C does: temporary files removed, earlier outputs unchanged,
    exit status 130. Set here, for this process, and nowhere else."""
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)


def main() -> None:
    """Entry point: `run` the command line, then end the process with its status."""
    set_collector_policy()
    handle_termination()
    try:
        code = run(sys.argv[1:])
    finally:
        # The process ends next. Left as they are, the objects of a build would be
        # walked once more by the collector at exit: a tenth of a second.
        gc.freeze()
    if code == INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        # Not sys.exit: when the interrupt left code run by exec() (dataclasses do that while
        # importing), CPython would end the process by SIGINT instead of status 130.
        os._exit(code)
    sys.exit(code)
