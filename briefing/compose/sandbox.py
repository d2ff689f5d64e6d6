"""The environment templates run in: Jinja's immutable sandbox, bounded.

Jinja's sandbox guards attributes (no `__class__`, no changes to the data).
This one also refuses what would take the machine's time or memory, each
time before it is made (`compose.limits` says how it is measured):

* huge numbers: powers, products, repeated squaring;
* huge widths: `'{:>300000000}'`, `center`, `'%300000000s'`, `batch(10**9)`;
* huge texts: every text a template makes or writes out, whatever makes it
  (`~`, `+`, `*`, `replace`, `join`, `format`, `%`, gettext, `{{ }}`,
  `string`, `tojson`, a macro's or a block's text), at most `MAX_OUTPUT`
  characters;
* huge lists: every list, tuple or dict a template builds (`[...]`, `+`,
  `*`, `sum`) at most `MAX_SIZE` items, the items of the lists inside it
  counted, so `[[1] * 1000] * 1000` is a million;
* time and memory: every step (an operator, a call, a filter applied to an
  item, a turn of a loop) checks the clock, and now and then the memory.

A number longer than Python writes out (4300 digits, `sys.get_int_max_str_digits`)
is said in plain words with its line: a literal when the template is read
(`_Lexer`, `_Compiler.visit_Const`), a number made as it runs (`in_plain_words`).

The template files themselves are read only inside the template folders.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.lexer import TOKEN_INTEGER, Lexer
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, SecurityError, safe_range

from ..errors import BriefingError
from ..load.paths import MAX_FILE_BYTES
from .filters import BOUNDED, GROWTH, NOT_TEXT, lipsum, reads_text
from .limits import (
    MAX_SIZE,
    Limits,
    TemplateLimit,
    check_brief_size,
    check_items,
    check_text_size,
    check_width,
    format_size,
    item_count,
    printf_size,
    replaced_size,
    text_size,
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but tab and line ends
_PADDING = frozenset(["center", "ljust", "rjust", "zfill", "expandtabs"])
SHORT_LOOP = 1024  # turns of a loop between two checks of the clock


def number_too_long(digits: int | None = None) -> str:
    """The words for a number longer than Python writes out, or reads (`digits`: how long it is)."""
    limit = sys.get_int_max_str_digits()
    return (f"number too long ({digits} digits; at most {limit})" if digits else
            f"number too long to write out (more than {limit} digits)")


def in_plain_words(error: Exception) -> str:
    """The message of an error a template meets as it runs, in a user's words where Python's are a
    programmer's (a number too long to write out: "…use sys.set_int_max_str_digits()…")."""
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        return number_too_long()
    return str(error)


class _Lexer(Lexer):
    """Jinja's lexer, with a number literal too long for Python to read a syntax error at its line."""

    def wrap(self, stream, name=None, filename=None):
        last: list = [1, None, ""]  # the line, kind and text of the token being read

        def seen(tokens):
            for token in tokens:
                last[:] = token
                yield token
        try:
            yield from super().wrap(seen(stream), name, filename)
        except ValueError:
            line, kind, text = last
            if kind != TOKEN_INTEGER:
                raise
            raise jinja2.TemplateSyntaxError(number_too_long(len(text.replace("_", ""))), line, name, filename) from None


class _Compiler(CodeGenerator):
    """Jinja's code generator, with the sandbox at the steps it leaves to Python:
    `~` joins through `checked_join`, `{{ value }}` is written by `to_text`,
    a list, tuple or dict literal is measured by `built`, and every `for`
    loop iterates through `looped`."""

    def visit_Template(self, node, frame=None) -> None:
        for loop in node.find_all(nodes.For):  # `for x in xs` becomes `for x in environment.looped(xs)`
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("looped"), [loop.iter], [], None, None,
                                   lineno=loop.iter.lineno)
        super().visit_Template(node, frame)

    def visit_Call(self, node, frame, forward_caller: bool = False) -> None:
        if isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name == "looped":  # ours: no template writes one
            self.write("environment.looped(")
            self.visit(node.args[0], frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def visit_Const(self, node, frame) -> None:
        try:
            super().visit_Const(node, frame)
        except ValueError:  # the text of a number too long to write out (a hex literal, a product of them)
            if not isinstance(node.value, int):
                raise
            self.fail(number_too_long(), node.lineno)

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.checked_join((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def _output_child_pre(self, node, frame, finalize) -> None:
        super()._output_child_pre(node, frame, finalize)
        self.write("environment.to_text(")

    def _output_child_post(self, node, frame, finalize) -> None:
        self.write(")")
        super()._output_child_post(node, frame, finalize)

    def visit_List(self, node, frame) -> None:
        self._built(CodeGenerator.visit_List, node, frame)

    def visit_Tuple(self, node, frame) -> None:
        if node.ctx != "load":  # `{% for a, b in … %}`: names to assign, not a value
            return super().visit_Tuple(node, frame)
        self._built(CodeGenerator.visit_Tuple, node, frame)

    def visit_Dict(self, node, frame) -> None:
        self._built(CodeGenerator.visit_Dict, node, frame)

    def _built(self, visit, node, frame) -> None:
        self.write("environment.built(")
        visit(self, node, frame)
        self.write(")")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, each step of a template bounded (see the module's docstring)."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])
    code_generator_class = _Compiler

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = Limits()  # started while a brief composes

    @functools.cached_property
    def lexer(self) -> Lexer:  # type: ignore[override]
        """`_Lexer`, this sandbox's own (Jinja's property gives one shared by environments of the same settings)."""
        return _Lexer(self)

    # the steps of a template -------------------------------------------------------------

    def call_binop(self, context, operator, left, right):
        self.limits.check()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right * abs(left).bit_length() > 10_000:
            raise SecurityError(f"the power {left}**{right} is too large")
        if operator == "*" and isinstance(left, int) and isinstance(right, int) \
                and abs(left).bit_length() + abs(right).bit_length() > 20_000:
            raise SecurityError(f"the product of numbers of {abs(left).bit_length()} and {abs(right).bit_length()} "
                                "bits is too large")
        if operator == "*" and isinstance(left, int) != isinstance(right, int):
            count, sequence = (left, right) if isinstance(left, int) else (right, left)
            size = len(sequence) if isinstance(sequence, (str, bytes)) else \
                item_count(sequence, self.limits) if isinstance(sequence, (list, tuple)) else 0
            if size * count > MAX_SIZE:
                raise SecurityError(f"repeating a text or list {count} times is too large")
        if operator == "%" and isinstance(left, (str, bytes)):
            check_text_size(printf_size(left, right, self.limits))
        if operator == "+" and isinstance(left, (str, bytes)) and isinstance(right, (str, bytes)):
            check_text_size(len(left) + len(right))
        if operator == "+" and isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
            size = item_count(left, self.limits) + item_count(right, self.limits)
            if size > MAX_SIZE:
                raise SecurityError(f"a list of {size:,} items is too large (at most {MAX_SIZE:,}, counting the items "
                                    "of the lists inside it)")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805  # Jinja's own signature
        __self.limits.check()
        name, owner = getattr(__obj, "__name__", None), getattr(__obj, "__self__", None)
        if isinstance(owner, (str, bytes)):
            __self.check_text_method(owner, name, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_filter(self, *args, **kwargs):  # `map`, `select`: a filter or test for each item
        self.limits.check()
        return super().call_filter(*args, **kwargs)

    def call_test(self, *args, **kwargs):
        self.limits.check()
        return super().call_test(*args, **kwargs)

    def looped(self, iterable):
        """What a `for` loop goes through: a long one checks the clock as it turns."""
        self.limits.check()
        if isinstance(iterable, (list, tuple, dict, str, range)) and len(iterable) <= SHORT_LOOP:
            return iterable
        return self._turns(iterable)

    def _turns(self, iterable: Iterable):
        for count, item in enumerate(iterable, 1):
            if count % SHORT_LOOP == 0:
                self.limits.check()
            yield item

    def built(self, value):
        """A list, tuple or dict a template writes out (`[a, b]`), of a size a brief can need."""
        item_count(value, self.limits)
        return value

    def to_text(self, value) -> str:
        """`{{ value }}`: its text, measured before it is made."""
        if type(value) is str:
            return value
        if type(value) in (int, float, bool) or value is None:  # numbers are bounded as they are made
            return str(value)
        check_text_size(text_size(value, self.limits))
        return str(value)

    def checked_join(self, parts) -> str:
        """`a ~ b`: the texts joined, when the result is of a size a brief can hold."""
        self.limits.check()
        check_text_size(sum(len(part) if type(part) is str else text_size(part, self.limits) for part in parts))
        return "".join(part if type(part) is str else str(part) for part in parts)

    def concat(self, parts) -> str:  # type: ignore[override]  # Jinja's `"".join`, as a method
        """The text of a macro, a block, a `{% set %}` or `{% filter %}` block, joined when it is of a
        size a brief can hold (the brief itself is bounded as it streams: `render_bounded`)."""
        parts = parts if isinstance(parts, list) else list(parts)
        self.limits.check()
        check_text_size(sum(map(len, parts)), "the text of a macro or block")
        return "".join(parts)

    def check_text_method(self, text: str | bytes, name: str | None, args, kwargs) -> None:
        """A method of a text (`'x'.center(300000000)`) that would make one too large."""
        if name in _PADDING:
            for width in (*args[:1], *kwargs.values()):
                check_width(width)
            if name == "expandtabs" and args and isinstance(args[0], int):
                check_text_size(len(text) + text.count("\t" if isinstance(text, str) else b"\t") * args[0])  # type: ignore[arg-type]
        if name == "replace" and len(args) >= 2 and all(isinstance(a, type(text)) for a in args[:2]):
            check_text_size(replaced_size(text, args[0], args[1], *[a for a in args[2:3] if isinstance(a, int)]))
        if name == "join" and args and isinstance(args[0], (list, tuple)):
            check_text_size(sum(text_size(item, self.limits) for item in args[0]) + len(text) * max(len(args[0]) - 1, 0))
        if name in ("split", "rsplit", "splitlines"):  # a list of its pieces, each a text of its own
            separator = args[0] if args and isinstance(args[0], type(text)) and name != "splitlines" else None
            limit = next((a for a in (*args[1:2], kwargs.get("maxsplit")) if isinstance(a, int) and a >= 0), None)
            pieces = text.count(separator) + 1 if separator else len(text) // 2 + 1  # type: ignore[arg-type]
            check_items(min(pieces, limit + 1) if limit is not None else pieces, "a list of the pieces of a text")
        if name == "translate" and isinstance(text, str) and args and isinstance(args[0], dict):
            longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
            check_text_size(len(text) * max(longest, 1))

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, is_map = value.__self__, value.__name__ == "format_map"

        def checked(*args, **kwargs):
            positional, named = ((), args[0]) if is_map and args else (args, kwargs)
            check_text_size(format_size(text, positional, named, SandboxedFormatter(self), self.limits))
            return wrapped(*args, **kwargs)
        return checked


# the template files --------------------------------------------------------------------------

class TemplateOutside(jinja2.TemplateError):
    """An include or extends that a link leads out of the template folders."""


class _Loader(jinja2.FileSystemLoader):
    """Template files as UTF-8, found only inside the template folders (links
    followed: a link to a file elsewhere is refused); a file that is not UTF-8
    is named, with the bad byte."""

    def get_source(self, environment, template):
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.exists() or candidate.is_symlink():
                real = candidate.resolve()
                if not real.is_relative_to(Path(folder).resolve()) or not real.is_file():
                    raise TemplateOutside(f"template '{template}' lies outside the template folders, or is not a "
                                          "regular file (links are followed)")
                if real.stat().st_size > MAX_FILE_BYTES:  # every template file, whatever its suffix
                    raise TemplateOutside(f"template '{template}' is larger than {MAX_FILE_BYTES // 1_000_000} MB")
                break
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            found = next((Path(folder, template) for folder in self.searchpath if Path(folder, template).is_file()), template)
            raise BriefingError(f"not UTF-8 text: byte {error.start} is 0x{error.object[error.start]:02x}; "
                                "save the template as UTF-8", file=found) from None


def make_sandbox(folders: list[Path], filters: dict, tests: dict, globals: dict,  # noqa: A002
                 translations=None) -> Sandbox:
    """The environment of one brief: templates from `folders`, with the brief's own filters, tests
    and globals besides Jinja's, every filter that writes text bounded, and gettext (`_()`,
    `{% trans %}`) from `translations`."""
    env = Sandbox(
        loader=_Loader([str(folder) for folder in folders]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(BOUNDED, **filters)
    for name in set(env.filters) - NOT_TEXT:
        env.filters[name] = reads_text(env, env.filters[name], GROWTH.get(name, 1))
    env.tests.update(tests)
    env.globals.update(globals, range=safe_range, lipsum=lipsum)
    if translations is not None:
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        for name in ("gettext", "ngettext", "pgettext", "npgettext"):
            env.globals[name] = _bounded_translation(env, env.globals[name], getattr(translations, name))
    return env


def _bounded_translation(env: Sandbox, function, translate):
    """Jinja's gettext (`_()`, `{% trans %}`) formats the translated text with `%` and the
    template's values: the text, which is the template's own where the catalogue has none, is
    measured with those values first, as `%` is (`'%(x)s' * 1000` with a large `x`)."""
    @functools.wraps(function)
    def bounded(__context, *args, **variables):
        values = dict(variables)
        if function.__name__ in ("pgettext", "npgettext"):
            values.setdefault("context", args[0])
        if function.__name__ in ("ngettext", "npgettext"):
            values.setdefault("num", args[-1])
        check_text_size(printf_size(translate(*args), values, env.limits))
        return function(__context, *args, **variables)
    return bounded


def render_bounded(env: Sandbox, template: jinja2.Template, context: dict) -> str:
    """The template's output, streamed so that it stops at `MAX_OUTPUT`
    characters or `MAX_SECONDS`, whichever comes first; a brief holds no
    control character and no half of a surrogate pair."""
    env.limits.start()
    try:
        chunks, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            check_brief_size(size)
            env.limits.check()
            chunks.append(chunk)
        markdown = "".join(chunks)
        lone = _SURROGATE.search(markdown)
        if lone:
            raise TemplateLimit(f"the template writes U+{ord(lone[0]):04X}, half of a surrogate pair, "
                                "which no file can hold; remove it")
        control = _CONTROL.search(markdown)
        if control:
            raise TemplateLimit(f"the template writes the control character U+{ord(control[0]):04X}, "
                                "which no brief may hold; remove it")
        return markdown
    finally:
        env.limits.stop()

