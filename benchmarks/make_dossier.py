"""Write a synthetic dossier of any size, for benchmarks.

    python benchmarks/make_dossier.py OUT_DIR --facts M --sources N [--seed S]

The dossier has the layout `briefing.load` reads (sources/dossier.yaml,
sources.yaml, texts/*.txt, facts/*.yaml in several files, questions.yaml).
Articles are French-like prose of realistic length (3–6 kB) with accents
(é, è, ç, œ), typographic quotes (« », ’), em dashes, no-break spaces and
numbers. Every quote is a real passage of its source: a sentence or a clause,
sometimes typed the way an analyst would (straight ' and ", plain spaces), so
quote location has normalisation to do. Some facts share a key with different
values (discrepancies), some are judgments with a confidence, some are
headlines; every section is used; the templates' tables (sources,
discrepancies) fill up. Same arguments, same seed ⇒ same files.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

import yaml

SECTIONS = [
    ("summary", "Executive summary"),
    ("visit", "The visit"),
    ("accords", "The accords"),
    ("security", "Security context"),
    ("economy", "Économie et commerce"),
    ("refinery", "Sénou gold refinery"),
    ("background", "Background and framing"),
]

SUBJECTS = [
    "Le ministre des Affaires étrangères", "La délégation malienne", "Le président de la Transition",
    "Le gouvernement de Bamako", "La société d’État russe", "L’ambassadeur de Russie", "Le porte-parole du Kremlin",
    "La commission intergouvernementale", "Le Premier ministre", "L’opérateur minier", "Les autorités de transition",
    "Le conseiller économique du président", "Le secrétaire général du ministère", "La chambre de commerce",
    "Le vice-ministre de la Défense", "L’état-major général des armées", "Le directeur de l’Agence nationale",
    "La représentation diplomatique", "Le collectif des commerçants", "L’Association des élèves-ingénieurs",
]
VERBS = [
    "a annoncé", "a confirmé", "a présenté", "a évoqué", "a souligné", "a démenti", "a négocié", "a signé",
    "a salué", "prévoit", "étudie", "reconnaît", "a reçu", "a défendu", "a précisé", "a récusé",
]
INFINITIVES = [
    "œuvrer pour", "consolider", "accélérer", "financer", "garantir", "étendre", "réviser", "préparer",
]
OBJECTS = [
    "un accord de coopération énergétique", "la création d’une raffinerie d’or", "un programme de formation des cadres",
    "la livraison de matériel agricole", "un mémorandum sur la sécurité alimentaire",
    "des investissements dans les infrastructures ferroviaires", "le renforcement des échanges commerciaux",
    "une étude de faisabilité géologique", "la construction d’une centrale électrique", "le cœur du réseau numérique",
    "la réforme du code minier", "la façon de répartir les recettes", "les manœuvres conjointes prévues",
    "la coopération dans l’enseignement supérieur", "l’approvisionnement en céréales et en engrais",
    "le vœu d’une « souveraineté retrouvée »", "la traçabilité de l’or extrait", "la sécurisation des axes routiers",
]
COMPLEMENTS = [
    "pour la période 2025–2030", "d’ici à {year}", "à hauteur de {amount} milliards de francs CFA",
    "dans la région de {place}", "avec {small} experts détachés", "malgré les réserves de l’opposition",
    "après {small} mois de négociations", "au terme d’une réunion à huis clos", "selon un communiqué publié à {place}",
    "sans calendrier précis", "pour {tonnage} tonnes par an", "en présence de {person}",
]
PLACES = [
    "Kayes", "Sikasso", "Ségou", "Mopti", "Tombouctou", "Gao", "Kidal", "Koulikoro", "Bamako", "Moscou",
    "Saint-Pétersbourg", "Niamey", "Ouagadougou", "Sénou", "Kéniéba", "Bougouni",
]
PERSONS = [
    "Abdoulaye Diop", "Sergueï Lavrov", "Maxime Orechkine", "Aïcha Traoré", "Frédéric Ngom", "Hélène Kéïta",
    "Bakary Coulibaly", "François Dembélé", "Noël Sangaré", "Zoé Maïga", "Iounous-Bek Ievkourov", "Mariam Sidibé",
]
OUTLETS = [
    "APA", "L’Essor", "Maliweb", "Le Républicain", "Jeune Afrique", "RIA Novosti", "Sputnik Afrique", "Malikunafoni",
    "Studio Tamani", "Le Pays", "Bamada.net", "Africa Intelligence", "Agence Anadolu", "Mali Tribune", "L’Indépendant",
]
TITLES = [
    "Bamako et Moscou scellent leur rapprochement", "Ce qu’il faut retenir de la visite", "L’or malien, enjeu d’État",
    "Coopération : les zones d’ombre", "Sécurité : le pari russe de la Transition", "Énergie : un accord « historique » ?",
    "Les coulisses d’un voyage très préparé", "Commerce : des promesses à vérifier",
]
EN_ACTORS = [
    "The Malian delegation", "The Kremlin", "The foreign minister", "The transition government", "The Russian state company",
    "The intergovernmental commission", "The mining operator", "The chamber of commerce", "The defence ministry",
]
EN_VERBS = ["announced", "confirmed", "presented", "discussed", "stressed", "denied", "negotiated", "signed", "welcomed"]
EN_OBJECTS = [
    "an energy cooperation agreement", "a gold refinery project", "a training programme for officials",
    "deliveries of farm equipment", "a memorandum on food security", "railway investments",
    "closer trade ties", "a geological feasibility study", "a power station", "mining code reform",
    "joint military exercises", "grain and fertiliser supplies", "traceability of mined gold",
]
EN_COMPLEMENTS = [
    "for 2025–2030", "by {year}", "worth {amount} billion CFA francs", "in the {place} region",
    "after {small} months of talks", "without a timetable", "for {tonnage} tonnes a year",
]
KEY_TOPICS = ["visit.start", "accords.count", "refinery.capacity", "trade.volume", "training.figure", "loan.amount",
              "troops.number", "deliveries.date", "commission.seat", "nuclear.partner"]
VALUES = {
    "visit.start": ["22 June", "23 June", "21 June"],
    "accords.count": ["3", "4", "2"],
    "refinery.capacity": ["200 tonnes a year", "150 tonnes a year", "100 tonnes a year"],
    "trade.volume": ["45 billion CFA francs", "60 billion CFA francs", "38 billion CFA francs"],
    "training.figure": ["10,000", "12,000", "8,500"],
    "loan.amount": ["300 million dollars", "250 million dollars", "unknown amount"],
    "troops.number": ["1,500", "2,000", "1,000"],
    "deliveries.date": ["2025", "2026", "2027"],
    "commission.seat": ["Bamako", "Moscow", "alternating"],
    "nuclear.partner": ["Rosatom", "no company named", "the Russian state"],
}


def _fill(rng: random.Random, pattern: str) -> str:
    return pattern.format(
        year=rng.randint(2026, 2035), amount=rng.randint(2, 950), place=rng.choice(PLACES),
        small=rng.randint(2, 40), person=rng.choice(PERSONS),
        tonnage=f"{rng.randint(1, 99)}\u00a0{rng.randint(100, 999)}" if rng.random() < 0.5 else str(rng.randint(10, 999)),
    )


def make_sentence(rng: random.Random) -> str:
    """One French-like sentence of news prose."""
    kind = rng.random()
    subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    complement = _fill(rng, rng.choice(COMPLEMENTS))
    if kind < 0.2:
        return f"« Nous sommes déterminés à {rng.choice(INFINITIVES)} {obj} {complement} », a déclaré {rng.choice(PERSONS)}."
    if kind < 0.35:
        return f"{subject} — selon {rng.choice(OUTLETS)} — {verb} {obj} {complement}."
    if kind < 0.5:
        return (f"{subject} {verb} {obj}, {complement}, tandis que {rng.choice(SUBJECTS).lower()} "
                f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}.")
    if kind < 0.6:
        return f"Le {rng.randint(1, 28)} juin, {subject.lower()} {verb} {obj} ; l’annonce a été reçue à {rng.choice(PLACES)}."
    if kind < 0.7:
        return f"D’après {rng.choice(PERSONS)}, {subject.lower()} {verb} {obj} {complement} – un « tournant » pour le pays."
    return f"{subject} {verb} {obj} {complement}."


def make_article(rng: random.Random) -> tuple[str, list[str]]:
    """An article (3–6 kB, paragraphs one per line) and its sentences."""
    sentences: list[str] = []
    paragraphs = []
    size = 0
    target = rng.randint(3000, 6000)
    while size < target:
        paragraph = [make_sentence(rng) for _ in range(rng.randint(2, 5))]
        sentences += paragraph
        paragraphs.append(" ".join(paragraph))
        size += len(paragraphs[-1]) + 1
    return "\n".join(paragraphs) + "\n", sentences


def typed_by_analyst(rng: random.Random, sentence: str) -> str:
    """The passage as an analyst might quote it: a clause or the sentence,
    sometimes with straight quotes and apostrophes and plain spaces."""
    clauses = [part.strip() for part in sentence.split(",") if len(part.strip()) > 40]
    quote = rng.choice(clauses) if clauses and rng.random() < 0.3 else sentence
    if rng.random() < 0.3:
        quote = quote.replace("’", "'").replace("« ", '"').replace(" »", '"').replace("\u00a0", " ")
    return quote


def make_claim(rng: random.Random, number: int) -> str:
    return (f"{rng.choice(EN_ACTORS)} {rng.choice(EN_VERBS)} {rng.choice(EN_OBJECTS)} "
            f"{_fill(rng, rng.choice(EN_COMPLEMENTS))} (point {number}).")


def make_dossier(out: Path, facts: int, sources: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    folder = Path(out) / "sources"
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    (folder / "facts").mkdir(exist_ok=True)
    for old in (folder / "facts").glob("*.yaml"):
        old.unlink()

    metas, sentences_of = [], {}
    for index in range(1, sources + 1):
        source_id = f"src-{index:04d}"
        text, sentences = make_article(rng)
        (folder / "texts" / f"{source_id}.txt").write_text(text, encoding="utf-8")
        sentences_of[source_id] = sentences
        meta = {
            "id": source_id, "file": f"texts/{source_id}.txt",
            "title": rng.choice(TITLES) if rng.random() < 0.7 else "unknown",
            "outlet": rng.choice(OUTLETS) if rng.random() < 0.85 else "unknown",
            "author": rng.choice(PERSONS) if rng.random() < 0.5 else "unknown",
            "date": f"2025-06-{rng.randint(20, 30):02d}" if rng.random() < 0.9 else "unknown",
            "language": "fr",
            "url": f"https://news.example.org/{source_id}" if rng.random() < 0.6 else "unknown",
            "reliability": rng.choice("AABBBCCCDEF"),
            "reliability_reason": f"Synthetic source {index}: {rng.choice(['agency wire', 'named reporter', 'unsigned', 'official communiqué'])}.",
        }
        if rng.random() < 0.1:
            meta["origin"] = f"wire-{rng.randint(1, 5)}"
        meta["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()  # the fingerprint of an LF text
        metas.append(meta)
    source_ids = [meta["id"] for meta in metas]

    section_ids = [section for section, _ in SECTIONS]
    fact_list = []
    for number in range(1, facts + 1):
        # every section is used: the first facts go round them, the rest at random
        section = section_ids[number - 1] if number <= len(section_ids) else rng.choice(section_ids)
        cited = rng.sample(source_ids, k=min(len(source_ids), rng.choice([1, 1, 1, 2, 2, 3])))
        fact = {"id": f"f-{number:05d}", "section": section, "claim": make_claim(rng, number)}
        if rng.random() < 0.12:
            fact["kind"] = "judgment"
            fact["confidence"] = rng.choice(["low", "moderate", "high"])
        if rng.random() < 0.04 or number <= 3:
            fact["headline"] = True
        fact["evidence"] = [{"source": s, "quote": typed_by_analyst(rng, rng.choice(sentences_of[s]))} for s in cited]
        fact_list.append(fact)

    # comparable facts: groups of 2–3 sharing a key; most disagree (discrepancies)
    keys: dict[str, str] = {}
    position = 0
    group = 0
    while position + 3 < len(fact_list):
        group += 1
        topic = KEY_TOPICS[group % len(KEY_TOPICS)]
        key = f"{topic}.{group}"
        size = rng.choice([2, 3])
        values = VALUES[topic] if group == 1 or rng.random() < 0.7 else [rng.choice(VALUES[topic])] * 3
        for offset in range(size):
            fact_list[position + offset]["key"] = key
            fact_list[position + offset]["value"] = values[offset]
        if group % 2:
            keys[key] = f"{topic.split('.')[0].capitalize()} ({'figure' if group % 4 == 1 else 'date'} {group})"
        position += rng.randint(15, 30)

    config = {
        "title": f"Synthetic dossier: {facts} facts over {sources} sources",
        "subject": "Benchmark dossier — Mali–Russia cooperation, « synthèse » d’articles générés",
        "organisation": "Benchmark Desk", "author": "briefing benchmarks", "date": "2025-06-30",
        "reference": f"BENCH-{facts}-{sources}-{seed}", "status": "draft",
        "marking": "UNCLASSIFIED — SYNTHETIC DATA", "language": "en",
        "keywords": ["benchmark", "synthetic", "Mali", "Russia"],
        "sections": [{"id": section, "title": title} for section, title in SECTIONS],
        "key_labels": keys,
        "source_gaps": ["The articles are generated: no statement in them is true."],
    }
    _dump(folder / "dossier.yaml", config)
    _dump(folder / "sources.yaml", metas)
    chunk = 500  # several fact files, as analysts split them
    for start in range(0, len(fact_list), chunk):
        _dump(folder / "facts" / f"facts-{start // chunk + 1:03d}.yaml", fact_list[start:start + chunk])
    questions = []
    for number in range(1, max(3, facts // 50) + 1):
        follows = rng.sample([fact["id"] for fact in fact_list], k=min(len(fact_list), rng.randint(1, 3)))
        questions.append({
            "id": f"q-{number:04d}",
            "question": f"What will {rng.choice(EN_ACTORS).lower()} do about {rng.choice(EN_OBJECTS)}?",
            "why": "The sources disagree, and the answer changes what Mali has committed to.",
            "settle": f"A published text, or a statement from {rng.choice(PERSONS)}.",
            "follows_from": follows,
        })
    _dump(folder / "questions.yaml", questions)
    return Path(out)


def _dump(path: Path, data) -> None:
    path.write_text(yaml.dump(data, allow_unicode=True, sort_keys=False, width=1000, Dumper=_Dumper), encoding="utf-8")


try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the dossier into (created)")
    parser.add_argument("--facts", "-m", type=int, default=1000, help="number of facts (default 1000)")
    parser.add_argument("--sources", "-n", type=int, default=None, help="number of sources (default: facts / 10, at least 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    sources = args.sources if args.sources is not None else max(5, args.facts // 10)
    if args.facts < 1 or sources < 1:
        parser.error("--facts and --sources must be at least 1")
    make_dossier(args.out, args.facts, sources, args.seed)
    print(f"{args.out}: {args.facts} facts over {sources} sources (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
