"""Stage 3: templates compose Markdown, sandboxed, with undefined names as errors."""

import pytest

from briefing.check import check_dossier
from briefing.compose import compose_brief, escape_markdown
from briefing.errors import BriefingError
from briefing.load import load_dossier
from briefing.parse import make_parser
from briefing.compose.templates import find_template, list_templates
from conftest import make_dossier

HEAD = "{#---\nname: {name}\naudience: Testers\ndescription: A test template.\n---#}\n"


def template(name: str, body: str) -> dict[str, str]:
    return {f"{name}.md.j2": HEAD.replace("{name}", name) + body}


def compose(root, name):
    checked = check_dossier(load_dossier(root))
    return compose_brief(checked, find_template(name, root))


def compose_error(tmp_path, body: str, name="t") -> str:
    root = make_dossier(tmp_path, templates=template(name, body))
    with pytest.raises(BriefingError) as caught:
        compose(root, name)
    return caught.value.format_line()


@pytest.mark.parametrize("claim", ["5 * 3 = 15 and a_b_c", "1. not a list", "# not a heading", "[^meeting] is no citation", "<b>raw</b> & co | pipe"])
def test_escaped_claims_stay_literal_through_the_markdown_parser(claim):
    html = make_parser().render(escape_markdown(claim))
    assert "<em>" not in html and "<ol>" not in html and "<h1>" not in html and "<b>" not in html
    inline = make_parser().parseInline(escape_markdown(claim))[0].children
    assert "".join(token.content for token in inline if token.type == "text") == claim


def test_a_template_sees_sections_facts_and_citations(tmp_path):
    body = "{% for f in section.accords.facts %}{{ f.claim | md }}{{ cite(f) }} ({{ f.sources[0].name }}){% endfor %}\n"
    root = make_dossier(tmp_path, templates=template("t", body))
    composed = compose(root, "t")
    assert composed.markdown.startswith("Three accords were signed, one of them on nuclear energy (Outlet one alone).[^accords] (Outlet one)")
    assert composed.meta.audience == "Testers"
    assert set(composed.notes) == {"meeting", "accords"}


def test_the_dossier_template_overrides_a_builtin_of_the_same_name(tmp_path):
    root = make_dossier(tmp_path, templates=template("executive", "own\n"))
    assert compose(root, "executive").markdown == "own\n"
    names = [t.name for t in list_templates(root)]
    assert names.count("executive") == 1 and {"analyst", "defence"} <= set(names)


def test_an_undefined_name_is_an_error_with_template_line(tmp_path):
    message = compose_error(tmp_path, "line one\n{{ nothing_here }}\n")
    assert message.endswith("t.md.j2:7: undefined in template: 'nothing_here' is undefined")


def test_a_syntax_error_names_template_and_line(tmp_path):
    message = compose_error(tmp_path, "ok\n{% for x in facts %}\n")
    assert "t.md.j2:" in message and "template syntax error" in message


@pytest.mark.parametrize("escape", [
    "{{ facts.__class__ }}",
    "{{ cite.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ facts[0]._fields }}",
    "{% set x = sources.append(1) %}",
])
def test_sandbox_escapes_are_refused(tmp_path, escape):
    message = compose_error(tmp_path, escape + "\n")
    assert "t.md.j2" in message
    assert ("sandbox" in message) or ("undefined" in message)


@pytest.mark.parametrize("statement", ['{% include "../sources/dossier.yaml" %}', '{% extends "/etc/passwd" %}'])
def test_templates_cannot_reach_outside_the_template_folders(tmp_path, statement):
    message = compose_error(tmp_path, statement + "\n")
    assert "not found in the template folders" in message


def test_a_template_name_with_a_parent_path_is_not_looked_up(tmp_path):
    root = make_dossier(tmp_path)
    with pytest.raises(BriefingError, match="template file not found"):
        find_template("../executive.md.j2", root)
    with pytest.raises(BriefingError, match="no template named 'nope'; available: analyst, defence, executive"):
        find_template("nope", root)


def test_front_matter_is_required(tmp_path):
    root = make_dossier(tmp_path, templates={"bare.md.j2": "no front matter\n"})
    with pytest.raises(BriefingError, match="starts with front matter"):
        find_template("bare", root)
