"""`python -m briefing`: the same command as the `briefing` script."""

from .cli import main

main()
