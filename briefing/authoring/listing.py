"""`briefing facts` and `briefing sources`: what a dossier holds, as rows.

Each listing is a list of plain dicts, so that the same rows print as an
aligned text table for people or as JSON for scripts.
"""

from __future__ import annotations

from ..check import CREDIBILITY, CheckedDossier
from ..errors import BriefingError, terminal_text
from ..load import Dossier

CLAIM_WIDTH = 72


def fact_rows(dossier: Dossier, section: str | None = None, source: str | None = None,
              key: str | None = None) -> list[dict]:
    """The facts of the dossier, in file order, narrowed by section, source and key."""
    config_file = dossier.root / "sources" / "dossier.yaml"
    sections = [s.id for s in dossier.config.sections]
    if section is not None and section not in sections:
        raise BriefingError(f"no section '{section}'; sections of this dossier: {', '.join(sections)}", file=config_file)
    source_ids = [s.id for s in dossier.sources]
    if source is not None and source not in source_ids:
        raise BriefingError(f"no source '{source}'; sources of this dossier: {', '.join(source_ids)}",
                            file=dossier.root / "sources" / "sources.yaml")
    keys = sorted({fact.key for fact in dossier.facts if fact.key})
    if key is not None and key not in keys:
        raise BriefingError(f"no fact has the key '{key}'; keys of this dossier: {', '.join(keys) or 'none'}")
    rows = []
    for fact in dossier.facts:
        cited = list(dict.fromkeys(evidence.source for evidence in fact.evidence))
        if (section is None or fact.section == section) and (source is None or source in cited) \
                and (key is None or fact.key == key):
            rows.append({
                "id": fact.id, "section": fact.section, "kind": fact.kind, "confidence": fact.confidence,
                "headline": fact.headline, "key": fact.key, "value": fact.value, "sources": cited,
                "claim": fact.claim, "file": fact.where.file, "line": fact.where.line,
            })
    return rows


def with_evidence(rows: list[dict], checked: CheckedDossier) -> list[dict]:
    """The fact rows with what the check found: credibility and why,
    independent sources, and each quote with its passage and character span
    in the source text (`quote` is as typed; `passage` as the brief prints it;
    each of `spans` is one passage of the source, `text[start:end]` exactly,
    several when an elision '[…]' joins them; `start`/`end` run from the first
    to the last)."""
    by_id = {fact.id: fact for fact in checked.facts}
    out = []
    for row in rows:
        fact = by_id[row["id"]]
        out.append({**row, "credibility": fact.credibility, "credibility_label": CREDIBILITY[fact.credibility],
                    "credibility_reason": fact.reason, "independent_sources": fact.independent_sources,
                    "confirming_sources": fact.confirming_sources, "attributed_to": list(fact.attributed_to),
                    "evidence": [_evidence(quote) for quote in fact.evidence]})
    return out


def _evidence(quote) -> dict:
    spans = quote.spans or ((quote.start, quote.end),)
    return {"source": quote.source.id, "quote": quote.quote, "passage": quote.passage,
            "start": quote.start, "end": quote.end,
            "spans": [{"start": start, "end": end, "passage": passage}
                      for (start, end), passage in zip(spans, quote.passages)]}


def source_rows(dossier: Dossier, coverage: list | None = None) -> list[dict]:
    """The sources with their metadata and how many facts cite each; with
    `coverage` (from `briefing.coverage.source_coverage`), the sentences cited."""
    citing: dict[str, int] = {}
    for fact in dossier.facts:
        for source_id in {evidence.source for evidence in fact.evidence}:
            citing[source_id] = citing.get(source_id, 0) + 1
    by_id = {item.source_id: item for item in coverage or []}
    rows = []
    for source in dossier.sources:
        meta = source.meta
        row = {
            "id": meta.id, "reliability": meta.reliability, "date": meta.date, "language": meta.language,
            "outlet": meta.outlet, "author": meta.author, "title": meta.title, "url": meta.url,
            "file": meta.file, "facts": citing.get(meta.id, 0),
        }
        if coverage is not None:
            item = by_id[meta.id]
            row.update({
                "sentences_cited": item.cited_count, "sentences": item.total, "share": round(item.share, 4),
                "uncited": [sentence.text for sentence in item.sentences if not sentence.cited],
                "furniture": [sentence.text for sentence in item.furniture],
                "counted_characters": item.counted, "characters": len(source.text),
            })
        rows.append(row)
    return rows


FACT_COLUMNS = [("id", "ID"), ("section", "SECTION"), ("sources", "SOURCES"), ("key", "KEY"),
                ("value", "VALUE"), ("claim", "CLAIM")]
SOURCE_COLUMNS = [("id", "ID"), ("reliability", "REL"), ("date", "DATE"), ("language", "LANG"),
                  ("outlet", "OUTLET"), ("author", "AUTHOR"), ("facts", "FACTS")]
COVERAGE_COLUMNS = [("cited", "CITED"), ("share", "SHARE")]


def facts_table(rows: list[dict]) -> str:
    columns = FACT_COLUMNS if any(row["key"] for row in rows) else [c for c in FACT_COLUMNS if c[0] not in ("key", "value")]
    cells = [{
        **row, "sources": ", ".join(row["sources"]), "key": row["key"] or "-", "value": row["value"] or "-",
        "claim": _short(row["claim"], CLAIM_WIDTH),
    } for row in rows]
    return format_table(cells, columns)


def sources_table(rows: list[dict]) -> str:
    with_coverage = bool(rows) and "sentences" in rows[0]
    columns = SOURCE_COLUMNS + (COVERAGE_COLUMNS if with_coverage else [])
    cells = [{
        **row, "outlet": _short(row["outlet"], 28), "author": _short(row["author"], 24),
        **({"cited": f"{row['sentences_cited']}/{row['sentences']}", "share": f"{row['share']:.0%}"} if with_coverage else {}),
    } for row in rows]
    return format_table(cells, columns)


def uncited_sentences(rows: list[dict]) -> str:
    """The sentences no fact cites, source by source, to review what is left out."""
    lines = []
    for row in rows:
        if row["uncited"]:
            lines.append(f"\nnot cited in {row['id']}:")
            lines += [f"  - {_short(sentence, 110)}" for sentence in row["uncited"]]
    text = "\n".join(lines) if lines else "\nevery sentence of every source is cited"
    longer = [f"only the first {row['counted_characters']:,} characters of '{terminal_text(row['id'], one_line=True)}' "
              f"(of {row['characters']:,}) are counted: a text that long takes pysbd minutes"
              for row in rows if row.get("counted_characters") is not None]
    text += "".join(f"\n\n{line}" for line in longer)
    furniture = []
    for row in rows:
        if row.get("furniture"):
            furniture.append(f"\npage furniture in {row['id']} (headlines, bylines, dates: not counted):")
            furniture += [f"  - {_short(line, 110)}" for line in row["furniture"]]
    return text + ("\n" + "\n".join(furniture) if furniture else "")


def format_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """Plain text columns, left-aligned, two spaces apart; the last column is not padded.
    A cell is one line: a line break or a control character in it is shown escaped."""
    table = [[title for _, title in columns]] + [[terminal_text(str(row[name]), one_line=True) for name, _ in columns]
                                                 for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table
    )


def _short(text: str, limit: int) -> str:
    text = terminal_text(" ".join(text.split()), one_line=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"
