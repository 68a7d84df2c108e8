"""The store: building the seeds, idempotency, identity and merging, deletion, search."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from litbalint.model import Article
from litbalint.pipeline import corpus_files, import_file, import_paths
from litbalint.sources.pubmed_xml import parse_pubmed_xml
from litbalint.store import SCHEMA_VERSION, Store, links, reconcile
from litbalint.zh import segment_query
from tests.conftest import dump, seed


def pubmed_xml(
    pmid: int,
    doi: str | None,
    title: str,
    abstract: str = "",
    references: tuple[int, ...] = (),
    extra: str = "",
) -> bytes:
    """A minimal efetch document with one PubmedArticle."""
    ids = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
    if doi:
        ids += f'<ArticleId IdType="doi">{doi}</ArticleId>'
    refs = "".join(
        f'<Reference><Citation>Ref {r}.</Citation><ArticleIdList><ArticleId IdType="pubmed">'
        f"{r}</ArticleId></ArticleIdList></Reference>"
        for r in references
    )
    body = f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract else ""
    return f"""<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue>
<Volume>48</Volume><Issue>9</Issue><PubDate><Year>2022</Year><Month>Sep</Month></PubDate>
</JournalIssue><Title>The Joint Commission journal on quality and patient safety</Title>
<ISOAbbreviation>Jt Comm J Qual Patient Saf</ISOAbbreviation></Journal>
<ArticleTitle>{title}</ArticleTitle>{body}
<AuthorList><Author><LastName>Doe</LastName><ForeName>Jane</ForeName><Initials>J</Initials>
<AffiliationInfo><Affiliation>Somewhere Hospital.</Affiliation></AffiliationInfo></Author>
</AuthorList><Language>eng</Language></Article>{extra}</MedlineCitation>
<PubmedData><ArticleIdList>{ids}</ArticleIdList>
<ReferenceList>{refs}</ReferenceList></PubmedData></PubmedArticle></PubmedArticleSet>
""".encode()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def query(store: Store, sql: str, params: list | tuple = ()) -> list[tuple]:
    return [tuple(row) for row in store.db.execute(sql, list(params)).fetchall()]


def article_by_doi(store: Store, doi: str) -> dict:
    cursor = store.db.execute("SELECT * FROM articles WHERE lower(doi) = lower(?)", [doi])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


@pytest.fixture
def seeded(store: Store) -> Store:
    reports = import_paths(store, corpus_files())
    assert [r.ok for r in reports] == [True] * 5
    return store


def test_seeds_build_articles_stubs_and_edges(seeded: Store):
    stats = seeded.stats()
    assert (stats.articles, stats.with_chinese, stats.stubs, stats.deleted) == (5, 5, 8, 0)
    # 000 lists itself among its similar articles: that item makes no edge.
    assert stats.edges_by_kind == {"cited_by": 2, "references": 2, "similar": 4}
    assert stats.by_topic == {"balint": 3, "peer_support": 2}
    assert stats.by_year == {2020: 1, 2022: 2, 2023: 1, 2024: 1}
    page = article_by_doi(seeded, "10.1186/s12913-023-09312-y")
    edges = query(
        seeded,
        "SELECT c.kind, citing.doi, cited.doi, c.rank, c.source FROM citations c "
        "JOIN articles citing ON citing.id = c.citing_id "
        "JOIN articles cited ON cited.id = c.cited_id "
        "WHERE ? IN (c.citing_id, c.cited_id) ORDER BY c.kind, c.rank",
        [page["id"]],
    )
    assert edges == [
        ("cited_by", "10.1016/j.clinme.2024.100013", "10.1186/s12913-023-09312-y", 6, "suppr"),
        ("references", "10.1186/s12913-023-09312-y", "10.1016/j.jcjq.2022.05.001", 2, "suppr"),
        ("references", "10.1186/s12913-023-09312-y", "10.4045/tidsskr.19.0185", 9, "suppr"),
    ]
    stub = article_by_doi(seeded, "10.1016/j.jcjq.2022.05.001")
    assert (stub["is_stub"], stub["title_en"], stub["title_zh"], stub["journal"]) == (
        1,
        "Supporting Peer Supporters.",
        "支持同伴支持者。",
        "Jt Comm J Qual Patient Saf",
    )
    assert json.loads(page["topics"]) == ["peer_support"]
    assert page["pub_date"] == "2023-04-01" and page["has_zh"] == 1
    assert page["abstract_en"].startswith("BACKGROUND: Doctors' health")
    assert page["abstract_zh"].startswith("背景：医生的健康")
    assert query(
        seeded, "SELECT count(*) FROM affiliations WHERE article_id = ?", [page["id"]]
    ) == [(2,)]


def test_second_build_changes_nothing(seeded: Store):
    before = dump(seeded)
    reports = import_paths(seeded, corpus_files())
    assert sum(r.counts.unchanged for r in reports) == 5
    assert sum(r.counts.new + r.counts.updated + r.counts.new_edges for r in reports) == 0
    assert dump(seeded) == before


def fts(store: Store, match: str) -> set[str]:
    rows = query(
        store,
        "SELECT a.doi FROM articles_fts JOIN articles a ON a.id = "
        "articles_fts.rowid WHERE articles_fts MATCH ? AND a.is_stub = 0",
        [match],
    )
    return {doi for (doi,) in rows}


BALINT_SEEDS = {
    "10.1177/00912174221122862",
    "10.1080/14739879.2020.1764397",
    "10.1186/s12909-022-03508-2",
}


def test_search_chinese_and_stemmed_english(seeded: Store):
    assert fts(seeded, "巴林特") == BALINT_SEEDS
    assert fts(seeded, " ".join(segment_query("巴林特小组"))) == BALINT_SEEDS
    assert fts(seeded, " ".join(segment_query("同伴支持"))) == {
        "10.1186/s12913-023-09312-y",
        "10.1186/s12875-024-02548-5",
    }
    # Seed 001 never uses the word "group" in English (it says "Balint"; it has no title).
    assert fts(seeded, "group") == {"10.1177/00912174221122862", "10.1186/s12909-022-03508-2"}
    assert fts(seeded, "groups") == fts(seeded, "group")
    assert fts(seeded, "住院医师") >= {"10.1177/00912174221122862"}


def test_stub_upgraded_in_place_keeps_edges(seeded: Store, tmp_path: Path):
    stub = article_by_doi(seeded, "10.1016/j.jcjq.2022.05.001")
    xml = write(
        tmp_path,
        "jcjq.xml",
        pubmed_xml(
            35700001, "10.1016/J.JCJQ.2022.05.001", "Supporting Peer Supporters.", "Peers help."
        ),
    )
    report = import_file(seeded, xml)
    # a stub joining the corpus counts as new (it was not a corpus article before)
    assert report.ok and (report.counts.updated, report.counts.new) == (0, 1)
    full = article_by_doi(seeded, "10.1016/j.jcjq.2022.05.001")
    assert full["id"] == stub["id"]
    assert (full["pmid"], full["is_stub"], full["abstract_en"]) == (35700001, 0, "Peers help.")
    assert full["title_zh"] == "支持同伴支持者。"  # kept from the Suppr list
    assert query(seeded, "SELECT kind FROM citations WHERE cited_id = ?", [stub["id"]]) == [
        ("references",)
    ]
    assert json.loads(full["topics"]) == ["peer_support"]
    assert seeded.stats().articles == 6
    before = dump(seeded)
    assert import_file(seeded, xml).counts.unchanged == 1
    assert dump(seeded) == before


def test_doi_only_page_gets_its_pmid(seeded: Store, tmp_path: Path):
    page = article_by_doi(seeded, "10.1186/s12913-023-09312-y")
    xml = write(
        tmp_path,
        "p.xml",
        pubmed_xml(
            37004074, "10.1186/s12913-023-09312-y", "Understanding peer support.", "From PubMed."
        ),
    )
    import_file(seeded, xml)
    after = article_by_doi(seeded, "10.1186/s12913-023-09312-y")
    assert after["id"] == page["id"] and after["pmid"] == 37004074
    assert after["abstract_en"] == "From PubMed."  # PubMed's English wins
    assert after["abstract_zh"] == page["abstract_zh"]  # Suppr's Chinese stays
    assert query(
        seeded,
        "SELECT lang, count(*) FROM abstract_sections WHERE article_id = ? GROUP BY lang",
        [page["id"]],
    ) == [("en", 1), ("zh", 4)]
    assert query(
        seeded, "SELECT count(*) FROM citations WHERE ? IN (citing_id, cited_id)", [page["id"]]
    ) == [(3,)]
    # PubMed's authors replace the page's loose affiliations.
    assert query(
        seeded,
        "SELECT affiliation, author_id IS NOT NULL FROM affiliations WHERE article_id = ?",
        [page["id"]],
    ) == [("Somewhere Hospital.", 1)]


@pytest.mark.parametrize("pubmed_first", [True, False])
def test_pubmed_and_a_translation_settle_whatever_the_order(
    store: Store, tmp_path: Path, pubmed_first: bool
):
    """PubMed's record is the authority on all but the Chinese: importing either file again, in
    any order, changes nothing (no flip-flop of the English abstract, no re-alignment)."""
    xml = write(
        tmp_path,
        "p.xml",
        pubmed_xml(
            37004074, "10.1186/s12913-023-09312-y", "Understanding peer support.", "From PubMed."
        ),
    )
    page = seed("003")
    files = [xml, page] if pubmed_first else [page, xml]
    for path in files:
        assert import_file(store, path).ok
    first = dump(store)
    for path in files + files[::-1]:
        report = import_file(store, path)
        assert (report.counts.new, report.counts.updated, report.aligned) == (0, 0, 0), path
    assert dump(store) == first
    article = article_by_doi(store, "10.1186/s12913-023-09312-y")
    assert article["abstract_en"] == "From PubMed."
    assert article["title_en"] == "Understanding peer support."
    assert article["abstract_zh"].startswith("背景")
    assert query(store, "SELECT name FROM authors WHERE article_id = ?", [article["id"]]) == [
        ("Doe J",)
    ]


def test_pmid_stub_and_doi_page_fold_into_one_row(store: Store, tmp_path: Path):
    citing = write(tmp_path, "a.xml", pubmed_xml(111, None, "Citing article.", references=(222,)))
    import_file(store, citing)
    pmid_stub = query(store, "SELECT id, is_stub FROM articles WHERE pmid = 222")
    assert [s[1] for s in pmid_stub] == [1]
    import_file(store, seed("003"))  # DOI only, with Chinese
    doi_page = article_by_doi(store, "10.1186/s12913-023-09312-y")
    xml = write(tmp_path, "b.xml", pubmed_xml(222, "10.1186/s12913-023-09312-y", "Full."))
    assert import_file(store, xml).ok
    rows = query(
        store,
        "SELECT id, pmid, is_stub, has_zh FROM articles WHERE pmid = 222 "
        "OR lower(doi) = '10.1186/s12913-023-09312-y'",
    )
    assert rows == [(pmid_stub[0][0], 222, 0, 1)]
    kept = rows[0][0]
    assert query(
        store, "SELECT citing_id FROM citations WHERE cited_id = ? AND kind = 'references'", [kept]
    ) == query(store, "SELECT id FROM articles WHERE pmid = 111")
    assert query(
        store, "SELECT count(*) FROM citations WHERE citing_id = ? AND kind = 'references'", [kept]
    ) == [(2,)]
    assert query(store, "SELECT cited_id FROM reference_lists") == [(kept,)]
    assert not query(store, "SELECT 1 FROM articles WHERE id = ?", [doi_page["id"]])
    assert query(store, "SELECT count(*) FROM articles_fts WHERE rowid = ?", [kept]) == [(1,)]


def test_revised_record_updates_in_place(store: Store, tmp_path: Path):
    import_file(store, write(tmp_path, "v1.xml", pubmed_xml(5, "10.5/x", "T.", "Old text.")))
    first = article_by_doi(store, "10.5/x")
    report = import_file(
        store, write(tmp_path, "v2.xml", pubmed_xml(5, "10.5/x", "T.", "New text."))
    )
    assert report.counts.updated == 1
    second = article_by_doi(store, "10.5/x")
    assert second["id"] == first["id"] and second["abstract_en"] == "New text."
    assert query(
        store, "SELECT text FROM abstract_sections WHERE article_id = ?", [first["id"]]
    ) == [("New text.",)]
    assert query(store, "SELECT abstract_en FROM articles_fts WHERE rowid = ?", [first["id"]]) == [
        ("New text.",)
    ]


def test_delete_citation_marks_deleted(store: Store, tmp_path: Path):
    import_file(store, write(tmp_path, "a.xml", pubmed_xml(7, None, "Gone soon.")))
    deletion = (
        b'<?xml version="1.0"?><PubmedArticleSet><DeleteCitation>'
        b'<PMID Version="1">7</PMID><PMID Version="1">8</PMID></DeleteCitation>'
        b"</PubmedArticleSet>"
    )
    report = import_file(store, write(tmp_path, "d.xml", deletion))
    assert report.ok and report.counts.deleted == 1
    assert query(store, "SELECT pmid, deleted FROM articles") == [(7, 1)]
    assert store.stats().deleted == 1 and store.stats().articles == 0


def test_bálint_syndrome_is_not_a_balint_group(store: Store, tmp_path: Path):
    xml = pubmed_xml(9, None, "Bálint syndrome after stroke.", "Balint syndrome is rare.")
    import_file(store, write(tmp_path, "s.xml", xml))
    assert query(store, "SELECT topics FROM articles") == [("[]",)]


def test_schema_is_idempotent_and_versioned(tmp_path: Path):
    path = tmp_path / "x.db"
    Store(path).close()
    with Store(path) as again:
        assert query(again, "SELECT value FROM litbalint_meta") == [(str(SCHEMA_VERSION),)]
        assert "articles_fts" in again.db.table_names()
        foreign = {
            (fk.table, fk.column, fk.other_table) for fk in again.db["citations"].foreign_keys
        }
        assert foreign == {
            ("citations", "citing_id", "articles"),
            ("citations", "cited_id", "articles"),
        }


def test_refreshed_links_equal_the_reply_and_other_sources_stay(store: Store, tmp_path: Path):
    """replace_elink: new edges added, ranks updated, edges PubMed no longer lists removed;
    the record's own ReferenceList edges and edges from other sources (suppr) are kept."""
    import_file(store, write(tmp_path, "a.xml", pubmed_xml(9, None, "Old.", references=(1, 2))))
    (article_id,) = query(store, "SELECT id FROM articles WHERE pmid = 9")[0]
    with store.transaction():
        links.save_elink(store.db, article_id, [3], [20, 21], [(30, 5.0)])
        other = store.db.execute("SELECT id FROM articles WHERE pmid = 21").fetchone()[0]
        store.db.execute(
            "INSERT INTO citations (citing_id, cited_id, kind, source, first_seen) "
            "VALUES (?, ?, 'cited_by', 'suppr', 'x')",
            [other, article_id],
        )
        added, _ = reconcile.replace_elink(store.db, article_id, [1], [22, 20], [(31, 6.0)])
    assert added == 2
    edges = query(
        store,
        "SELECT a.pmid, b.pmid, c.kind, c.source, c.rank, c.score FROM citations c "
        "JOIN articles a ON a.id = c.citing_id JOIN articles b ON b.id = c.cited_id "
        "ORDER BY 3, 1, 2, 4",
    )
    assert edges == [
        (20, 9, "cited_by", "pubmed", 2, None),
        (21, 9, "cited_by", "suppr", None, None),
        (22, 9, "cited_by", "pubmed", 1, None),
        (9, 1, "references", "pubmed", 1, None),  # the ReferenceList's rank
        (9, 2, "references", "pubmed", 2, None),  # in the ReferenceList, not in elink: kept
        (9, 31, "similar", "pubmed", 1, 6.0),
    ]


def test_save_article_returns_its_id_and_what_changed(store: Store, tmp_path: Path):
    """The caller learns the row id from the call itself (no attribute to read afterwards)."""
    (article,) = [
        r
        for r in parse_pubmed_xml(
            io.BytesIO(pubmed_xml(41, "10.1/x", "Balint groups.", references=(42, 43)))
        )
        if isinstance(r, Article)
    ]
    with store.transaction():
        first = store.save_article(article, "pubmed_xml")
        again = store.save_article(article, "pubmed_xml")
    assert query(store, "SELECT id FROM articles WHERE pmid = 41") == [(first.article_id,)]
    assert again.article_id == first.article_id
    assert (first.counts.new, first.counts.unchanged, first.counts.new_edges) == (1, 0, 2)
    assert (again.counts.new, again.counts.unchanged, again.counts.new_edges) == (0, 1, 0)
    assert not hasattr(store, "last_id") and not hasattr(store, "take_touched")
