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


def _compose(tmp_path, body: str):
    head = "{#---\nname: t\naudience: Testers\ndescription: A test template.\n---#}\n"
    root = make_dossier(tmp_path, templates={"t.md.j2": head + body})
    return compose_brief(check_dossier(load_dossier(root)), find_template("t", root))


@pytest.mark.parametrize("body", ["{{ '{:>20001}'.format('x') }}", "{{ '{:.20001f}'.format(1.5) }}",
                                  "{{ '{0:{1}}'.format('x', 20001) }}", "{{ '{a:^20001}'.format_map({'a': 1}) }}",
                                  "{{ 'x'.center(20001) }}", "{{ 'x'.rjust(20001, '-') }}", "{{ '7'.zfill(20001) }}",
                                  "{{ 'x' | center(20001) }}", "{{ 'a\nb' | indent(20001) }}", "{{ '%20001s' % 'x' }}",
                                  "{{ '%*s' % (20001, 'x') }}", "{{ '%.20001f' | format(1.5) }}",
                                  "{{ '%(a)20001s' % {'a': 1} }}"])
def test_format_widths_are_capped(tmp_path, body):
    with pytest.raises(BriefingError, match="a width of 20001 is too large"):
        _compose(tmp_path, body)


def test_ordinary_formatting_still_works(tmp_path):
    body = "{{ '{:>6}|{:.2f}'.format('ab', 3.14159) }} {{ 'x'.center(5, '*') }} {{ '%5s' % 'ab' }} {{ '%d%%' | format(7) }}\n"
    assert "    ab|3.14 **x** " in _compose(tmp_path, body).markdown and "   ab 7%" in _compose(tmp_path, body).markdown


def test_composing_is_bounded_in_time_and_size(tmp_path, monkeypatch):
    from briefing.compose import brief

    monkeypatch.setattr(brief, "MAX_SECONDS", 0.2)
    with pytest.raises(BriefingError, match="composing takes longer than 0.2 s"):
        _compose(tmp_path / "a", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    monkeypatch.setattr(brief, "MAX_OUTPUT", 1000)
    with pytest.raises(BriefingError, match="the brief grows beyond 1,000 characters"):
        _compose(tmp_path / "b", "{% for i in range(100) %}{{ 'x' * 100 }}{% endfor %}")
    with pytest.raises(BriefingError, match="the product of numbers"):
        _compose(tmp_path / "c", "{% set ns = namespace(x=3) %}{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}{% endfor %}")
    assert _compose(tmp_path / "d", "{{ range(3) | list }} {{ range(5) | length }} {{ range(4)[2] }}\n").markdown.endswith(
        "[0, 1, 2] 5 2\n")
