"""The dossier's schema: what a user writes in YAML, validated once.

Every model forbids unknown keys, so a misspelt field is an error rather than
silence. Each object keeps the file and line it was read from (`where`), so that
later stages can point the user at the exact place to fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WrapValidator, field_validator, model_validator

UNKNOWN = "unknown"
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Confidence = Literal["low", "moderate", "high"]

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
LINK_SCHEMES = ("http://", "https://", "mailto:")  # the links a brief may carry (and "#anchor" inside it)
MAX_URL = 2000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class LocalText(str):
    """A text given in several languages (`claim: {en: "…", fr: "…"}`).

    As a `str` it is the text in the dossier's `language:` (or, lacking that,
    the first one given), so that code which reads one language reads it;
    `by_language` holds them all, and `compose` picks the brief's."""

    by_language: dict[str, str]

    def __new__(cls, by_language: dict[str, str], default: str) -> LocalText:
        text = super().__new__(cls, by_language.get(default, next(iter(by_language.values()))))
        text.by_language = by_language
        return text

    def __reduce__(self):  # pickled whole, to the PDF worker
        return (_local_text, (self.by_language, str(self)))


def _local_text(by_language: dict[str, str], text: str) -> LocalText:
    chosen = next((language for language, value in by_language.items() if value == text), "")
    return LocalText(by_language, chosen)


def texts_of(value: str, default: str) -> dict[str, str]:
    """Each language of a text and its words; a plain string is in `default`, the dossier's language."""
    return dict(value.by_language) if isinstance(value, LocalText) else {default: value}


def check_language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise ValueError(f"'{value}' is not a language code: write one such as en, fr, ar or pt-BR")
    return value


def _in_languages(value, handler, info: ValidationInfo):
    """A plain string, or a mapping from language code to the text in that language."""
    if not isinstance(value, dict):
        return handler(value)
    if not value:
        raise ValueError("give the text, or a mapping from language code to text ({en: …, fr: …})")
    by_language = {}
    for language, text in value.items():
        if not isinstance(language, str):
            raise ValueError(f"{language!r} is not a language code: write one such as en, fr or ar")
        check_language(language)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the text in '{language}' is missing or is not text")
        by_language[language] = text.strip()
    default = (info.context or {}).get("language", "en")
    return LocalText(by_language, default)


Text = Annotated[str, WrapValidator(_in_languages)]  # a text that may come in several languages


@dataclass(frozen=True, slots=True)
class Where:
    """Where an object was read: the file, the line when there is one, and the line of each of its
    fields (the YAML loader's `key_lines`), so that a mistake in one field can point at it."""

    file: str
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def of(self, name: str) -> Where:
        """Where the field `name` was read: its own line, else the object's."""
        return Where(self.file, self.key_lines.get(name, self.line))


MAX_SHORT = 500  # characters of a title, a name, an outlet, a label: a line, not a page
MAX_TEXT = 2000  # characters of a claim, a quote, a question, a reason: a sentence or a passage, not an article
MAX_MARKING = 100  # the marking is drawn on one line in every page's header and footer
_LONG_FIELDS = frozenset({"claim", "quote", "translation", "derivation", "note", "question", "why", "settle",
                          "reliability_reason", "source_gaps", "description", "purpose"})
_OWN_SIZE_CHECK = frozenset({"claim", "quote", "translation"})  # with a message of their own (`_check_size`)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    # Where the object was read, set by load. A slot rather than a pydantic
    # private attribute, which would cost an initialisation per object. Copies,
    # pickles and == leave it out; nothing copies or pickles a model.
    __slots__ = ("_where",)
    # The fields whose text a brief shows in its own language: each a plain
    # string (in the dossier's `language:`) or a mapping {en: …, fr: …}.
    localised: ClassVar[tuple[str, ...]] = ()

    @property
    def where(self) -> Where:
        try:
            return object.__getattribute__(self, "_where")
        except AttributeError:  # made in code, not read from a file
            return Where(file="?")

    def located(self, where: Where) -> None:
        object.__setattr__(self, "_where", where)

    @field_validator("*")
    @classmethod
    def _text(cls, value, info: ValidationInfo):
        """Every text of a dossier, in every field, list and mapping: printable
        (no control character but tab and line breaks) and of a bounded length."""
        name = info.field_name or ""
        limit = MAX_MARKING if name == "marking" else MAX_TEXT if name in _LONG_FIELDS else MAX_SHORT
        for text in _texts(value):
            check_printable(text)
            if name not in _OWN_SIZE_CHECK and len(text) > limit:
                raise ValueError(f"is at most {limit:,} characters (this one has {len(text):,}); shorten it")
        return value


def _texts(value) -> list[str]:
    if isinstance(value, LocalText):
        return list(value.by_language.values())
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in _texts(key) + _texts(item)]
    return []


MAX_ID = 64  # characters: an id names files (texts/ID.txt), which file systems limit


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError("an id uses letters, digits, '-', '_' and '.', and starts with a letter or digit")
    if len(value) > MAX_ID:
        raise ValueError(f"an id is at most {MAX_ID} characters (this one has {len(value)})")
    return value


class Section(Strict):
    """A section of the brief. `tags` say what it is about (`summary`,
    `security`, `defence`, `accords`, `economy`…): templates choose sections by
    tag, never by id, so a template fits any dossier."""

    localised = ("title",)

    id: str
    title: Text
    tags: list[str] = Field(default_factory=list, max_length=20)
    _v = field_validator("id")(_check_id)
    _t = field_validator("tags")(lambda value: [_check_id(tag) for tag in value])


class MailConfig(Strict):
    """`mail:` in `sources/dossier.yaml`: how `briefing mail --send` reaches the
    SMTP server. Every field is optional (command line and environment come
    first). The password is never written here, nor which variable holds it:
    a dossier comes from someone else, and could have any secret of the
    user's environment sent to a server it names."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, validate_by_name=True)

    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] | None = None
    username: str | None = None
    sender: str | None = Field(default=None, alias="from")  # `from:` in YAML
    timeout: float | None = Field(default=None, gt=0, le=3600, allow_inf_nan=False)
    max_attachment_mb: float | None = Field(default=None, gt=0, le=10_000, allow_inf_nan=False)
    cafile: str | None = None  # a CA bundle inside the dossier, for a server signed by a private CA

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data):
        if isinstance(data, dict) and "password" in data:
            raise ValueError("never write the SMTP password in the dossier; set it in the environment "
                             "variable BRIEFING_SMTP_PASSWORD")
        if isinstance(data, dict) and "password_env" in data:
            raise ValueError("'password_env' is no longer read: the SMTP password comes only from "
                             "$BRIEFING_SMTP_PASSWORD; remove the line")
        return data


def check_printable(value):
    """Text that becomes document properties and page headers, where a control
    character is not allowed (DOCX) or not drawn (PDF)."""
    for text in value if isinstance(value, list) else [value]:
        bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r" or c in "\ufffe\uffff"), None)
        if bad is not None:
            raise ValueError(f"holds the character U+{ord(bad):04X}, which a document cannot show; remove it")
    return value


# Embeddings, overrides and isolates: each reorders the text after it (U+202E makes "Brief\u202efdp.exe"
# read "Brief exe.pdf"), across a whole subject line or file name. Marks (U+200E, U+200F) reorder nothing.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_one_line(value):
    """A title, a subject, a marking, a reference: a line of text that also becomes page headers,
    a mail's subject and a file name, where a line break would start a header of its own and a
    direction control would reorder what follows it. (A YAML scalar folded over several lines
    holds spaces, not line breaks; the line break that ends a block scalar, `>`, is none inside.)"""
    check_printable(value)
    for text in value if isinstance(value, list) else [value]:
        brk = next((c for c in text.strip() if c in "\n\r" or unicodedata.category(c) in ("Zl", "Zp")), None)
        if brk is not None:
            name = unicodedata.name(brk, "")
            raise ValueError(f"holds a line break (U+{ord(brk):04X}{' ' + name if name else ''}), and is one line "
                             "(page headers, a mail's subject, a file name): write it on one line")
        bad = next((c for c in text if c in DIRECTION_CONTROLS), None)
        if bad is not None:
            raise ValueError(f"holds U+{ord(bad):04X} {unicodedata.name(bad)}, a direction control that would reorder "
                             "the text after it (in a mail's subject, a file name); remove it")
    return value


class DossierConfig(Strict):
    """`sources/dossier.yaml`: what the brief is about and how it is marked."""

    localised = ("title", "subject", "key_labels", "source_gaps", "changes", "abbreviations")
    # Names, which a plain string gives in every language (a mapping may still translate them).
    names: ClassVar[tuple[str, ...]] = ("organisation", "author", "marking", "keywords")

    title: Text
    subject: Text = UNKNOWN
    organisation: Text = UNKNOWN
    author: Text = UNKNOWN
    date: str = UNKNOWN
    reference: str = UNKNOWN
    status: Literal["draft", "final"] = "draft"
    marking: Text = "UNCLASSIFIED"
    language: str = "en"  # the language of its plain-string texts, and of its briefs unless `--lang` says otherwise
    keywords: list[Text] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    key_labels: dict[str, Text] = Field(default_factory=dict)
    source_gaps: list[Text] = Field(default_factory=list)  # what the sources do not include
    changes: Text | None = None  # what changed since the last brief on the subject, and why (or that it is the first)
    glossary: dict[str, list[str]] = Field(default_factory=dict)  # a name in the claims → how the sources write it
    abbreviations: dict[str, Text] = Field(default_factory=dict)  # "LBMA" → what it stands for, listed where used
    mail: MailConfig | None = None  # SMTP settings for `briefing mail`

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        return _check_date(value)

    _p = field_validator("title", "subject", "organisation", "author", "reference", "marking", "keywords")(
        lambda value: check_one_line([text for item in (value if isinstance(value, list) else [value])
                                      for text in _texts(item)]) and value)
    _l = field_validator("language")(check_language)

    @field_validator("abbreviations")
    @classmethod
    def _abbreviations(cls, value: dict[str, Text]) -> dict[str, Text]:
        for short, long in value.items():
            if not _ABBREVIATION.match(short):
                raise ValueError(f"'{short[:40]}' is not an abbreviation: write it as the claims do, a word of "
                                 "capitals, digits and hyphens (LBMA, MINUSMA, G5-Sahel), at most 20 characters")
            check_one_line(list(_texts(long)))
        return value


_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z0-9&-]{0,18}[A-Z0-9]$")


def _check_date(value: str) -> str:
    if value != UNKNOWN and not _DATE.match(value):
        raise ValueError("write the date as YYYY-MM-DD (or YYYY-MM, YYYY), or 'unknown'")
    if value != UNKNOWN:
        import datetime

        year, month, day = (value.split("-") + ["01", "01"])[:3]
        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{value} is not a date of the calendar; write the date as YYYY-MM-DD "
                             "(or YYYY-MM, YYYY), or 'unknown'") from None
    return value


PROVENANCE = ("page", "document", "command line", "fetched", "unknown")
Provenance = Literal["page", "document", "command line", "fetched", "unknown"]
PROVENANCE_FIELDS = ("title", "outlet", "author", "date", "language", "url")


class SourceProvenance(Strict):
    """Where each metadata field of a source came from: the page's own metadata
    (`page`), a PDF's or Word file's properties (`document`), the analyst
    (`command line`), the link it was fetched from (`fetched`, for the URL), or
    nowhere (`unknown`: the field is unknown)."""

    title: Provenance = "unknown"
    outlet: Provenance = "unknown"
    author: Provenance = "unknown"
    date: Provenance = "unknown"
    language: Provenance = "unknown"
    url: Provenance = "unknown"


class SourceMeta(Strict):
    """One entry of `sources/sources.yaml`: an article and what is known of it."""

    localised = ("kind", "reliability_reason", "note", "title_translation")
    names: ClassVar[tuple[str, ...]] = ("name", "date_in_text")  # a plain string holds in every language

    id: str
    file: str
    name: Text | None = None  # short name for citations; default: outlet, else author
    title: str = UNKNOWN
    title_translation: Text | None = None  # the title in a brief's language, shown where it is not the source's
    outlet: str = UNKNOWN
    author: str = UNKNOWN
    date: str = UNKNOWN
    language: str = UNKNOWN
    url: str = UNKNOWN
    reliability: Reliability = "F"
    reliability_reason: Text = UNKNOWN
    origin: str | None = None  # sources sharing an origin count once as evidence
    note: Text | None = None
    date_in_text: Text | None = None  # a date the text shows though it prints no dateline ("2025-06-23", or "23 June, no year")
    kind: Text | None = None  # what sort of source it is, in a few words ("news agency dispatch")
    sha256: str | None = None  # the text's fingerprint (check.fingerprints), written by add-source
    # Provenance, written by add-source: the file the text was extracted from, kept
    # beside it (sources/originals/), its SHA-256, the link it was fetched from and
    # when, and where each metadata field came from.
    original: str | None = None
    original_sha256: str | None = None
    fetched_from: str | None = None
    fetched_at: str | None = None
    provenance: SourceProvenance | None = None

    _v = field_validator("id")(_check_id)
    _l = field_validator("language")(lambda value: value if value == UNKNOWN else check_language(value))
    _p = field_validator("date_in_text", "kind")(lambda value: value if value is None else check_printable(_texts(value)) and value)

    @field_validator("sha256", "original_sha256")
    @classmethod
    def _sha256(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not _SHA256.match(value):
            raise ValueError("a fingerprint is 64 lowercase hexadecimal digits; to record the right one, "
                             f"run: briefing sources --accept {info.data.get('id', 'ID')}")
        return value

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        return _check_date(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("fetched_from")
    @classmethod
    def _fetched_from(cls, value: str | None) -> str | None:
        if value is not None and (value == UNKNOWN or value.lower().startswith("mailto:")):
            raise ValueError("the link the text was fetched from starts with http:// or https://")
        return check_url(value) if value is not None else None

    @field_validator("fetched_at")
    @classmethod
    def _fetched_at(cls, value: str | None) -> str | None:
        if value is not None and not _TIMESTAMP.match(value):
            raise ValueError("write the time of the fetch as YYYY-MM-DDTHH:MM:SSZ (UTC)")
        return value

    @model_validator(mode="after")
    def _original_has_fingerprint(self) -> SourceMeta:
        if (self.original is None) != (self.original_sha256 is None):
            raise ValueError("'original' and 'original_sha256' go together: the kept file and its fingerprint")
        return self


# The ASCII characters of a URL (RFC 3986: unreserved, reserved, and '%' of an escape); any other ASCII
# character (a quote, '<', '>', '\\', '`', '{', '|', '}', '^') is no part of an address, and a browser
# copies it percent-encoded. Letters of other scripts are kept (an IRI), and percent-encoded in a brief.
_URL_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
_IPV6_HOST = re.compile(r"^https?://(?:[^/?#@]*@)?\[[0-9A-Fa-f:.]+\]", re.IGNORECASE)  # "[" and "]" belong around an IPv6 address
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def check_url(value: str) -> str:
    """A source's URL becomes a live link in every format: only the schemes a
    reader can follow safely, one unbroken string of the characters a URL is
    made of (RFC 3986), so that nothing in it can end the link or add markup."""
    if value == UNKNOWN:
        return value
    if not value.lower().startswith(LINK_SCHEMES):
        raise ValueError("a URL starts with http://, https:// or mailto: (or write 'unknown')")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("a URL has no spaces or control characters; write a space as %20")
    if len(value) > MAX_URL:
        raise ValueError(f"a URL is at most {MAX_URL} characters (this one has {len(value)})")
    odd = next((c for c in value if c < "\x80" and c not in _URL_ASCII), None)
    if odd is not None:
        raise ValueError(f"a URL cannot hold '{odd}'; write it as %{ord(odd):02X}")
    host = _IPV6_HOST.match(value)
    rest = value[host.end():] if host else value
    bracket = next((c for c in rest if c in "[]"), None)
    if bracket is not None:
        raise ValueError(f"a URL holds '{bracket}' only around an IPv6 address; write it as %{ord(bracket):02X}")
    if _BAD_ESCAPE.search(value):
        raise ValueError("a '%' in a URL starts an escape of two hexadecimal digits; write '%' itself as %25")
    if not value.lower().startswith("mailto:") and not re.match(r"^https?://[^/?#]", value, re.IGNORECASE):
        raise ValueError("a URL names its server after '//' (https://example.org/…)")
    return value


def _check_size(what: str, hint: str):
    def check(cls, value: str) -> str:
        for text in _texts(value):
            if len(text) > MAX_TEXT:
                raise ValueError(f"{what} is at most {MAX_TEXT} characters (this one has {len(text)}); {hint}")
        return value
    return check


class Evidence(Strict):
    localised = ("translation",)

    source: str
    quote: str = Field(min_length=1)
    # the analyst's rendering of the quote in the brief's language, printed marked as a translation;
    # a brief in a language it lacks shows the quote alone
    translation: Text | None = None
    # this passage rests on material it shares with another source's (two reports worded alike):
    # quotes of one `origin` count once as independent evidence, as sources of one origin do
    origin: str | None = None

    _size = field_validator("quote", "translation")(_check_size("a quote", "quote only the passage that backs the claim"))


class Event(Strict):
    """A dated event a fact reports, for the timeline: `date` as the sources
    give it (YYYY, YYYY-MM or YYYY-MM-DD), `label` a few words."""

    localised = ("label",)

    date: str
    label: Text = Field(min_length=1, max_length=80)

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        if value == UNKNOWN:
            raise ValueError("an event has a date: YYYY-MM-DD, YYYY-MM or YYYY")
        return _check_date(value)

    @field_validator("label")
    @classmethod
    def _short(cls, value: str) -> str:
        for text in _texts(value):
            if len(text) > 80:
                raise ValueError(f"an event's label is at most 80 characters (this one has {len(text)}): a few words")
        return value


class Fact(Strict):
    """A claim, backed by verbatim quotes of the sources."""

    localised = ("claim", "value", "derivation", "point")

    id: str
    section: str
    claim: Text = Field(min_length=1)
    point: Text | None = None  # a headline fact's short form, for key points: the claim is written out in its section
    kind: Literal["fact", "judgment"] = "fact"
    confidence: Confidence | None = None
    key: str | None = None
    value: Text | None = None
    # the key of a point other facts give, which this fact's source reports without giving ("names no company"):
    # a silence, shown beside the versions, that makes no point disputed
    silent_on: str | None = None
    headline: bool = False
    derivation: Text | None = None  # how the claim derives a figure its quotes do not give ("200 t / 50 t = four times")
    item: str | None = None  # the thing the fact describes (`accord.nuclear`): facts of one item make a row of a table
    tags: list[str] = Field(default_factory=list, max_length=20)  # what the fact is about beyond its section (`defence`)
    events: list[Event] = Field(default_factory=list, max_length=20)  # dated events it reports, for the timeline
    evidence: list[Evidence] = Field(min_length=1)

    _v = field_validator("id")(_check_id)
    _t = field_validator("tags")(lambda value: [_check_id(tag) for tag in value])
    _i = field_validator("item")(lambda value: value if value is None else _check_id(value))
    _size = field_validator("claim")(_check_size("a claim", "split it into several facts"))

    @field_validator("value", mode="before")
    @classmethod
    def _value_as_text(cls, value):
        """A value written as a number is the text typed (`load.yamlfile` keeps it: "017", "1.50")."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return getattr(value, "typed", None) or str(value)
        return value

    @model_validator(mode="after")
    def _judgment_has_confidence(self) -> Fact:
        if self.kind == "judgment" and self.confidence is None:
            raise ValueError("a judgment needs a confidence: low, moderate or high")
        if (self.key is None) != (self.value is None):
            raise ValueError("'key' and 'value' go together: give both or neither")
        if self.silent_on is not None and self.key is not None:
            raise ValueError("'silent_on' and 'key' exclude each other: a fact gives a point or is silent on it")
        return self


class Question(Strict):
    """An open question: what is unknown, why it matters, what would settle it."""

    localised = ("question", "why", "settle")

    id: str
    question: Text = Field(min_length=1)
    why: Text = Field(min_length=1)
    settle: Text = Field(min_length=1)
    follows_from: list[str] = Field(default_factory=list)

    _v = field_validator("id")(_check_id)
