"""briefing: source-cited policy briefs, rendered as DOCX and PDF."""

__version__ = "0.1.0"
