"""Stage 1, load: a dossier folder read into typed, validated objects."""

from .dossier import Dossier, Source, load_dossier, load_partial

__all__ = ["Dossier", "Source", "load_dossier", "load_partial"]
