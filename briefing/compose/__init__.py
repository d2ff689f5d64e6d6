"""Stage 3, compose: a Jinja2 template of one audience turns the checked
dossier into Markdown with citation markers (`brief`), from a read-only
context (`context`); templates are found along a chain of folders
(`templates`) and run in a bounded sandbox (`sandbox`, which measures what a
template builds with `limits` and gives it Jinja's filters bounded, `filters`)."""

from .brief import ComposedBrief, compose_brief, escape_markdown, make_environment
from .templates import TemplateFile, builtin_templates_dir, find_template, list_templates

__all__ = ["ComposedBrief", "TemplateFile", "builtin_templates_dir", "compose_brief", "escape_markdown",
           "find_template", "list_templates", "make_environment"]
