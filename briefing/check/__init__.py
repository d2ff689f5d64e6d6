"""Stage 2, check: every quote found in its source, every reference resolved,
credibility graded and discrepancies listed. Nothing renders unchecked."""

from .credibility import CREDIBILITY, CheckedFact, Discrepancy, LocatedQuote, Version
from .dossier import CheckedDossier, check_dossier, in_language, load_and_check, silent_sources
from .quotes import closest_passage, find_quote, locate_quote

__all__ = ["CREDIBILITY", "CheckedDossier", "CheckedFact", "Discrepancy", "LocatedQuote", "Version",
           "check_dossier", "in_language", "load_and_check", "silent_sources", "closest_passage", "find_quote",
           "locate_quote"]
