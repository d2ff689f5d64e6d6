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
    from briefing.compose import limits

    monkeypatch.setattr(limits, "MAX_SECONDS", 0.2)
    with pytest.raises(BriefingError, match="composing takes longer than 0.2 s"):
        _compose(tmp_path / "a", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    monkeypatch.setattr(limits, "MAX_OUTPUT", 1000)
    with pytest.raises(BriefingError, match="the brief grows beyond 1,000 characters"):
        _compose(tmp_path / "b", "{% for i in range(100) %}{{ 'x' * 100 }}{% endfor %}")
    with pytest.raises(BriefingError, match="the product of numbers"):
        _compose(tmp_path / "c", "{% set ns = namespace(x=3) %}{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}{% endfor %}")
    assert _compose(tmp_path / "d", "{{ range(3) | list }} {{ range(5) | length }} {{ range(4)[2] }}\n").markdown.endswith(
        "[0, 1, 2] 5 2\n")


# Hostile templates that each took 1.5 to 6 GB of memory before what a template makes was bounded.
HOSTILE = {
    "shared-lists": "{% set a = [[1] * 1000] * 999 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{{ b | string }}",
    "macro-text": "{% set big = 'x' * 999999 %}{% macro m() %}{% for i in range(3000) %}{{ big }}{% endfor %}"
                  "{% endmacro %}{{ m() }}",
    "map": "{{ (['x' * 999999] * 2000) | map('upper') | list | length }}",
    "recursion": "{% macro f(n, s) %}{% if n %}{{ f(n - 1, s ~ n) }}{% endif %}{% endmacro %}"
                 "{% set s = 'x' * 999999 %}{{ f(200, s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s) }}",
    "loops-over-a-text": "{% set t = 'x' * 1000 %}{% macro m() %}{% for a in t %}{% for b in t %}{% for c in t %}x"
                         "{% endfor %}{% endfor %}{% endfor %}{% endmacro %}{{ m() }}",
}


# Runs `python -m briefing ARGS` as a child and prints its exit status and peak memory (kB). A launcher
# of its own: a process started straight from this one would count this one's memory in its peak.
LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "briefing", *sys.argv[1:]])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_template_stops_within_its_time_and_memory(tmp_path, name):
    """The whole `briefing build` process, as the user runs it: exit 1 and one line, well under 200 MB
    at its peak (the process itself takes about 60 MB, and composing may add 100 MB), and within the
    10 s composing may take (and the start). A process still running after a minute is stopped."""
    import subprocess
    import sys
    import time

    root = make_dossier(tmp_path / "dossier", templates=template("t", HOSTILE[name] + "\n"))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, "build", "-d", str(root), "-t", "t", "-f", "md"],
                          capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - start
    code, peak_kb = map(int, done.stdout.split())
    assert code == 1, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "t.md.j2:" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert peak_kb < 200_000, f"peak {peak_kb // 1024} MB"  # kilobytes, on Linux
    assert seconds < 15, f"{seconds:.1f} s"


def test_what_templates_ordinarily_build_is_unchanged(tmp_path):
    """Literals, loops, sums of lists, batches, JSON, pprint and formats as Jinja makes them, under the bounds."""
    body = ("{% for a, b in [(1, 2), (3, 4)] %}{{ a }}{{ b }} {% endfor %}| {{ [[1], [2, 3]] | sum(start=[]) }} "
            "| {{ range(5) | batch(2) | list }} | {{ {'a': [1, 'é']} | tojson }} | {{ [1, 'x'] | pprint }} "
            "| {{ '{0}-{1}'.format(1, 'b') }} {{ '{}{}'.format(1, 2) }} {{ '{:{w}}|'.format('x', w=3) }} "
            "| {{ '%s=%d' % ('a', 3) }} {{ '%(k)s' % {'k': 'v'} }} | {{ ('ab' ~ 1 ~ [2]) }} "
            "| {% set ns = namespace(xs=[]) %}{% for i in range(3) %}{% set ns.xs = ns.xs + [i] %}{% endfor %}{{ ns.xs }} "
            "| {{ range(5) | slice(2) | list }} {{ 'ab' | list }} {{ 'a,b'.split(',') }} {{ 'a b'.split() }}\n")
    assert _compose(tmp_path, body).markdown == (
        "12 34 | [1, 2, 3] | [[0, 1], [2, 3], [4]] | {\"a\": [1, \"\\u00e9\"]} | [1, 'x'] "
        "| 1-b 12 x  | | a=3 v | ab1[2] | [0, 1, 2] | [[0, 1, 2], [3, 4]] ['a', 'b'] ['a', 'b'] ['a', 'b']\n")


@pytest.mark.parametrize("url", ["https://good.example/)[CLICK_HERE](https://evil.example/", "https://good.example/)**BOLD**(",
                                 "http://x/)](javascript:alert(1))", "https://a.example/&lt;b&gt;\\(x) y<z>`c`"])
def test_a_link_target_is_one_link_to_exactly_that_address(url):
    """`link_target` writes a URL as a Markdown link destination that the parser reads back whole,
    whatever it holds: no second link, no markup, no entity decoded."""
    from briefing.compose.brief import escape_link_target

    tokens = make_parser().parseInline(f"[{escape_markdown(url)}]({escape_link_target(url)})")[0].children
    links = [token for token in tokens if token.type == "link_open"]
    assert len(links) == 1 and [t.type for t in tokens].count("strong_open") == 0
    assert "".join(t.content for t in tokens if t.type == "text") == url
    from urllib.parse import unquote

    assert unquote(links[0].attrs["href"]) == url


@pytest.mark.parametrize("url", ["https://good.example/)**BOLD**(", "https://good.example/a)&lt;b&gt;(_c_)?q=1&r=2"])
def test_a_source_url_is_one_link_to_itself_in_every_format(tmp_path, url):
    """A URL the schema accepts but that holds Markdown ('**', ')', '&lt;') is one link to itself in the
    Markdown, the HTML page, the PDF's link annotations and the DOCX's hyperlinks, its text shown as typed."""
    import re
    import zipfile
    from html import unescape

    from pypdf import PdfReader

    from briefing.build import build_briefs

    sources = [{"id": "one", "file": "texts/one.txt", "outlet": "Outlet one", "url": url, "reliability": "B"}]
    root = make_dossier(tmp_path, sources=sources)
    build_briefs(root, ("analyst",), ("md", "html", "pdf", "docx"))
    out = root / "out"
    parsed = make_parser().parse((out / "analyst.md").read_text(encoding="utf-8"))
    hrefs = [child.attrs["href"] for token in parsed if token.children for child in token.children
             if child.type == "link_open" and not child.attrs["href"].startswith("#")]
    assert hrefs and set(hrefs) == {url}, hrefs
    page = (out / "analyst.html").read_text(encoding="utf-8")
    assert "<strong>BOLD" not in page and "&lt;b&gt;" not in page.replace("&amp;lt;b&amp;gt;", "")
    assert {unescape(href) for href in re.findall(r'<a href="(http[^"]*)"', page)} == {url}
    uris = {annot.get_object()["/A"].get("/URI") for pdf_page in PdfReader(str(out / "analyst.pdf")).pages
            for annot in pdf_page.get("/Annots") or [] if "/A" in annot.get_object()}
    assert {uri for uri in uris if uri and not uri.startswith("#")} == {url}, uris
    with zipfile.ZipFile(out / "analyst.docx") as package:
        targets = {unescape(target) for name in package.namelist() if name.endswith(".rels")
                   for target in re.findall(r'Target="(http[^"]*)"', package.read(name).decode())}
    assert targets == {url}, targets


def test_a_passage_that_quotes_someone_is_still_set_in_marks():
    from briefing.document import quote_marks

    assert quote_marks("Trois accords ont été signés", "fr") == ("«\u00a0", "\u00a0»")
    assert quote_marks("« Grâce à ce partenariat », a déclaré le président", "fr") == ("«\u00a0", "\u00a0»")
    assert quote_marks("« Nous obtenons de bons résultats. »", "fr") == ("", "")  # wholly a quotation already
    assert quote_marks("he called it “a pact” twice", "en") == ("‘", "’")
    assert quote_marks("It is an accord", "en") == ("“", "”")


def test_the_passages_that_carry_a_claim_give_its_figures_names_and_quoted_words():
    from briefing.check.claims import Glossary
    from briefing.compose.carrying import carrying_passages

    passages = [("Le président s’est dit satisfait de la dynamique.", "fr", "The president said he was satisfied."),
                ("Il a salué les « bonnes perspectives » du partenariat.", "fr", "He welcomed the “good prospects”."),
                ("Plus de 10 000 cadres maliens ont été formés en Russie.", "fr", "More than 10,000 Malians were trained."),
                ("Une raffinerie de 200 tonnes.", "fr", "A refinery of 200 tonnes.")]
    claim = "Putin welcomed ‘good prospects’ and recalled 10,000 Malians trained in Russia."
    glossary = Glossary.of({"Putin": ["Poutine"], "Russia": ["Russie"], "Malians": ["maliens"]})
    assert carrying_passages(claim, "en", passages, glossary) == {1, 2}
    assert carrying_passages("The visit was long.", "en", passages, glossary) == set()


def test_a_source_silent_on_a_point_is_said_beside_the_discrepancies_and_not_twice(default_dossier):
    composed = compose(default_dossier, "analyst")
    statement = ("APA and the Moscow report name Rosatom as the nuclear accord’s counterpart; the report on the "
                 "Kremlin communiqué lists the accord, one of cooperation in the peaceful use of nuclear energy, "
                 "without naming a company.")
    differ = composed.markdown.index("### Where the sources differ")
    silence = composed.markdown.index("- *Silence, not a discrepancy.* " + statement)
    assert differ < silence < composed.markdown.index("## Sources") and composed.markdown.count(statement) == 1


@pytest.mark.parametrize("code, pattern", [("en", r"(\d) for ([A-F])"), ("fr", r"(\d) pour ([A-F])")])
def test_the_source_statement_gives_the_rating_one_source_alone_earns_as_the_brief_rates_it(code, pattern):
    """'… is rated by the grade of its best source: 2 for B, 3 for C, and 6 for F.' Each
    grade the brief's sources carry is listed, with the rating its unconfirmed statements have."""
    import re

    from conftest import REPO

    checked = check_dossier(load_dossier(REPO))
    markdown = compose_brief(checked, find_template("analyst", REPO), language=code).markdown
    sentence = next(line for line in markdown.split("\n") if re.search(pattern, line))
    said = {grade: int(rating) for rating, grade in re.findall(pattern, sentence)}
    assert set(said) == {source.meta.reliability for source in checked.dossier.sources}
    unconfirmed = [fact for fact in checked.facts if fact.fact.kind != "judgment" and not fact.disputed
                   and fact.confirming_sources < 2 and fact.fact.silent_on is None]
    assert unconfirmed
    for fact in unconfirmed:
        best = min(quote.source.meta.reliability for quote in fact.evidence)
        assert fact.credibility == said[best], fact.id


def test_a_source_title_is_given_in_its_own_typography_and_translated_where_the_brief_is_in_another_language():
    """The English brief gives the French title verbatim, with « : » bound as French sets
    it, and its translation; the French brief gives the title alone."""
    from conftest import REPO

    checked = check_dossier(load_dossier(REPO))
    english = compose_brief(checked, find_template("analyst", REPO), language="en").markdown
    french = compose_brief(checked, find_template("analyst", REPO), language="fr").markdown
    title = "Visite d’Assimi Goïta à Moscou\u00a0: le Mali déroule sa diplomatie de souveraineté"
    assert f"“{title}” (translation: “Assimi Goïta’s visit to Moscow: Mali rolls out its sovereignty diplomacy”)" in english
    assert f"«\u00a0{title}\u00a0»" in french and "rolls out" not in french
