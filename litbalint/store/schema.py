"""Schema 9, the baseline of the migrations (store/migrations.py), and `create_tables`, which
creates it idempotently. Frozen: a later change is a step in migrations.py.

Public names researchers write SQL against (keep them stable): articles(id, pmid, doi,
title_en, title_zh, abstract_en, abstract_zh, journal, year, pub_date, topics, deleted) and
citations(citing_id, cited_id, kind). docs/schema.md documents every table and column.
"""

from __future__ import annotations

import sqlite_utils

BASELINE_VERSION = 9  # 2: alignments, beads; 3: harvest_runs; 4: FTS rank; 5: article_search;
# 6: harvest_todo, harvest_runs.query_notes/retried/records_left/links_left/titles_left/given_up/
# links_refreshed/topics_dropped, links_fetched; 7: article_vectors, learned_lexicon;
# 8: articles_without_english; 9: article_search's id is the index's rowid

# bm25 weights of the index's columns: title_en abstract_en title_zh abstract_zh keywords mesh
FTS_WEIGHTS = "10.0, 1.0, 10.0, 1.0, 3.0, 3.0"

TABLES = """
CREATE TABLE IF NOT EXISTS litbalint_meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS journals (
    id INTEGER PRIMARY KEY,
    abbreviation TEXT NOT NULL,
    title TEXT,
    issn_print TEXT,
    issn_electronic TEXT,
    issn_linking TEXT,
    nlm_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS journals_abbreviation ON journals(abbreviation COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    pmid INTEGER UNIQUE,
    doi TEXT,
    pmc TEXT,
    pii TEXT,
    title_en TEXT,
    title_en_html TEXT,
    title_zh TEXT,
    journal TEXT,
    journal_id INTEGER REFERENCES journals(id),
    book_title TEXT,
    publisher TEXT,
    year INTEGER,
    month INTEGER,
    day INTEGER,
    season TEXT,
    pub_date TEXT,
    pub_date_text TEXT,
    volume TEXT,
    issue TEXT,
    pages TEXT,
    epub_date TEXT,
    print_date TEXT,
    date_revised TEXT,
    entrez_date TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    abstract_en TEXT,
    abstract_zh TEXT,
    abstract_zh_source TEXT,
    has_zh INTEGER NOT NULL DEFAULT 0,
    copyright TEXT,
    citation_text TEXT,
    medline_status TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    publication_types TEXT NOT NULL DEFAULT '[]',
    mesh_terms TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    is_stub INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_doi ON articles(lower(doi));
CREATE INDEX IF NOT EXISTS articles_pmc ON articles(pmc);
CREATE INDEX IF NOT EXISTS articles_journal_id ON articles(journal_id);
CREATE INDEX IF NOT EXISTS articles_year ON articles(year);
CREATE INDEX IF NOT EXISTS articles_title ON articles(lower(title_en)) WHERE pmid IS NULL;
-- the search asks whether any article lacks English (publish/search_ranked.py LACKS, the same
-- condition): without this index, finding that none does reads every row
CREATE INDEX IF NOT EXISTS articles_without_english ON articles(id)
    WHERE is_stub = 0 AND coalesce(title_en, '') = '' AND coalesce(abstract_en, '') = '';
CREATE TABLE IF NOT EXISTS authors (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    last_name TEXT,
    fore_name TEXT,
    initials TEXT,
    suffix TEXT,
    collective_name TEXT,
    orcid TEXT,
    UNIQUE (article_id, position)
);
CREATE TABLE IF NOT EXISTS affiliations (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    author_id INTEGER REFERENCES authors(id),
    position INTEGER NOT NULL,
    affiliation TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affiliations_article_id ON affiliations(article_id);
CREATE INDEX IF NOT EXISTS affiliations_author_id ON affiliations(author_id);
CREATE TABLE IF NOT EXISTS abstract_sections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    lang TEXT NOT NULL,
    position INTEGER NOT NULL,
    label TEXT,
    category TEXT,
    text TEXT NOT NULL,
    text_html TEXT,
    source TEXT,
    UNIQUE (article_id, lang, position)
);
CREATE TABLE IF NOT EXISTS mesh_headings (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    descriptor TEXT NOT NULL,
    descriptor_ui TEXT,
    major INTEGER NOT NULL,
    descriptor_major INTEGER NOT NULL,
    qualifiers TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, position)
);
CREATE INDEX IF NOT EXISTS mesh_headings_descriptor ON mesh_headings(descriptor);
CREATE TABLE IF NOT EXISTS keywords (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    keyword TEXT NOT NULL,
    major INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    PRIMARY KEY (article_id, position)
);
CREATE TABLE IF NOT EXISTS publication_types (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    publication_type TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);
CREATE TABLE IF NOT EXISTS reference_lists (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    citation TEXT,
    pmid INTEGER,
    doi TEXT,
    pmc TEXT,
    cited_id INTEGER REFERENCES articles(id),
    PRIMARY KEY (article_id, position)
);
CREATE INDEX IF NOT EXISTS reference_lists_cited_id ON reference_lists(cited_id);
CREATE TABLE IF NOT EXISTS citations (
    citing_id INTEGER NOT NULL REFERENCES articles(id),
    cited_id INTEGER NOT NULL REFERENCES articles(id),
    kind TEXT NOT NULL CHECK (kind IN ('references', 'cited_by', 'similar')),
    source TEXT NOT NULL,
    rank INTEGER,
    score REAL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (citing_id, cited_id, kind, source)
);
CREATE INDEX IF NOT EXISTS citations_cited_id ON citations(cited_id);
CREATE TABLE IF NOT EXISTS article_topics (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    topic TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (article_id, topic, source)
);
CREATE INDEX IF NOT EXISTS article_topics_topic ON article_topics(topic);
CREATE TABLE IF NOT EXISTS import_files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    records INTEGER NOT NULL,
    problems INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (sha256)
);
CREATE TABLE IF NOT EXISTS article_sources (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    file_id INTEGER REFERENCES import_files(id),
    run_id INTEGER,
    format TEXT NOT NULL,
    role TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS article_sources_unique
    ON article_sources(article_id, ifnull(file_id, 0), ifnull(run_id, 0), format, role);
CREATE INDEX IF NOT EXISTS article_sources_file_id ON article_sources(file_id);
CREATE TABLE IF NOT EXISTS alignments (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    inputs_hash TEXT NOT NULL,
    beads INTEGER NOT NULL,
    low_confidence INTEGER NOT NULL,
    mean_score REAL,
    badly_aligned INTEGER NOT NULL,
    stale INTEGER NOT NULL DEFAULT 0,
    aligned_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alignment_beads (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    pair_index INTEGER NOT NULL,
    en_label TEXT,
    zh_label TEXT,
    paired_by TEXT NOT NULL,
    bead_type TEXT NOT NULL,
    en_sentences TEXT NOT NULL,
    zh_sentences TEXT NOT NULL,
    en_text TEXT NOT NULL,
    zh_text TEXT NOT NULL,
    score REAL NOT NULL,
    low_confidence INTEGER NOT NULL,
    UNIQUE (article_id, position)
);
CREATE VIEW IF NOT EXISTS sentence_pairs AS
    SELECT b.id, b.article_id, a.pmid, a.doi, b.en_label, b.zh_label, b.position, b.bead_type,
           b.en_text, b.zh_text, b.score, b.low_confidence
    FROM alignment_beads b JOIN articles a ON a.id = b.article_id
    WHERE b.en_text != '' AND b.zh_text != '' AND a.deleted = 0;
CREATE TABLE IF NOT EXISTS harvest_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    mode TEXT NOT NULL,
    topics TEXT NOT NULL,
    window_from TEXT,
    window_to TEXT,
    found INTEGER NOT NULL DEFAULT 0,
    records_new INTEGER NOT NULL DEFAULT 0,
    records_updated INTEGER NOT NULL DEFAULT 0,
    records_unchanged INTEGER NOT NULL DEFAULT 0,
    records_deleted INTEGER NOT NULL DEFAULT 0,
    new_edges INTEGER NOT NULL DEFAULT 0,
    gaps TEXT NOT NULL DEFAULT '[]',
    requests INTEGER NOT NULL DEFAULT 0,
    retries INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    error TEXT,
    query_notes TEXT NOT NULL DEFAULT '{}',
    retried INTEGER NOT NULL DEFAULT 0,
    records_left INTEGER NOT NULL DEFAULT 0,
    links_left INTEGER NOT NULL DEFAULT 0,
    titles_left INTEGER NOT NULL DEFAULT 0,
    given_up TEXT NOT NULL DEFAULT '[]',
    links_refreshed INTEGER NOT NULL DEFAULT 0,
    topics_dropped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS article_vectors (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    embedded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_vectors_embedded_at ON article_vectors(embedded_at);
CREATE TABLE IF NOT EXISTS learned_lexicon (
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    pairs INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (zh, en)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS learned_lexicon_en ON learned_lexicon(en);
CREATE TABLE IF NOT EXISTS harvest_todo (
    pmid INTEGER NOT NULL,
    step TEXT NOT NULL CHECK (step IN ('record', 'links', 'title', 'missing')),
    topics TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    first_run INTEGER,
    last_run INTEGER,
    given_up INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pmid, step)
);
CREATE TABLE IF NOT EXISTS links_fetched (
    pmid INTEGER PRIMARY KEY,
    fetched_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_fetched_fetched_on ON links_fetched(fetched_on);
CREATE TABLE IF NOT EXISTS harvest_windows (
    run_id INTEGER NOT NULL REFERENCES harvest_runs(id),
    topic TEXT NOT NULL,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    found INTEGER NOT NULL,
    PRIMARY KEY (run_id, topic)
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title_en, abstract_en, title_zh, abstract_zh, keywords, mesh_terms,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts, rank)
    VALUES ('rank', 'bm25(FTS_WEIGHTS)');
"""
SEARCH_VIEW = """
CREATE VIEW article_search AS
    SELECT articles_fts.rank AS rank, articles_fts.rowid AS id, ARTICLE_COLUMNS,
        articles_fts.articles_fts AS articles_fts
    FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
"""
# article_search's `id` is the index's rowid (the same value as a.id), so a condition on it
# (`id >= ?`: a search's window, publish/match_window.py) narrows the index's own scan and
# ranking instead of being checked after every match is ranked; ARTICLE_COLUMNS is every other
# column of `articles` (a.pmid, a.doi, ...), read from the table when the view is made: by
# `remake_search_view`, after every migration (a step may have changed `articles`).


# Columns added to tables that already exist in older databases (CREATE TABLE IF NOT EXISTS
# does not add them): (version that added them, table, column definition).
ADDED_COLUMNS = (
    (6, "harvest_runs", "query_notes TEXT NOT NULL DEFAULT '{}'"),
    (6, "harvest_runs", "retried INTEGER NOT NULL DEFAULT 0"),
    (6, "harvest_runs", "records_left INTEGER NOT NULL DEFAULT 0"),
    (6, "harvest_runs", "links_left INTEGER NOT NULL DEFAULT 0"),
    (6, "harvest_runs", "titles_left INTEGER NOT NULL DEFAULT 0"),
    (6, "harvest_runs", "given_up TEXT NOT NULL DEFAULT '[]'"),
    (6, "harvest_runs", "links_refreshed INTEGER NOT NULL DEFAULT 0"),
    (6, "harvest_runs", "topics_dropped INTEGER NOT NULL DEFAULT 0"),
)


def schema_version(db: sqlite_utils.Database) -> int | None:
    if "litbalint_meta" not in db.table_names():
        return None
    row = db.execute("SELECT value FROM litbalint_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def create_tables(db: sqlite_utils.Database) -> None:
    """Create what is missing of schema 9 but the view `article_search`; ALTER a database of
    an older numbered schema first (inside the caller's transaction; migrations.py records the
    version and makes the view)."""
    found = schema_version(db)
    if found is not None:
        _add_columns(db, found)
    for statement in TABLES.replace("FTS_WEIGHTS", FTS_WEIGHTS).split(";"):
        if statement.strip():
            db.execute(statement)


def remake_search_view(db: sqlite_utils.Database) -> None:
    """`article_search` made again, with every column `articles` has now."""
    db.execute("DROP VIEW IF EXISTS article_search")
    db.execute(SEARCH_VIEW.replace("ARTICLE_COLUMNS", _article_columns(db)))


def _article_columns(db: sqlite_utils.Database) -> str:
    """Every column of `articles` but its id, as `a.name` for the view."""
    names = [row[1] for row in db.execute("PRAGMA table_info(articles)") if row[1] != "id"]
    return ", ".join(f"a.{name}" for name in names)


def _add_columns(db: sqlite_utils.Database, found: int) -> None:
    """ALTER the tables of a database made by schema `found` (before the CREATEs)."""
    for version, table, column in ADDED_COLUMNS:
        if found >= version or table not in db.table_names():
            continue
        name = column.split()[0]
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if name not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
