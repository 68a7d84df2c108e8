"""The article page: the row page of `articles`, bilingual, built by the plugin's template."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from datasette.app import Datasette

from tests.conftest import get, register_publish_plugin, seeded_database

# Two PubMed records, no Chinese: 91000001 has authors (ORCID, affiliations), MeSH with a major
# topic and a reference list; 91000002 has a script tag in its title and abstract, inline
# markup in its title, and cites 91000001.
PUBMED_XML = """<?xml version="1.0" encoding="UTF-8"?>
<PubmedArticleSet>
  <PubmedArticle>
    <MedlineCitation Status="MEDLINE" Owner="NLM">
      <PMID Version="1">91000001</PMID>
      <Article PubModel="Print">
        <Journal>
          <JournalIssue CitedMedium="Internet">
            <Volume>12</Volume><Issue>3</Issue>
            <PubDate><Year>2021</Year><Month>Mar</Month></PubDate>
          </JournalIssue>
          <Title>Journal of peer support studies</Title>
          <ISOAbbreviation>J Peer Supp Stud</ISOAbbreviation>
        </Journal>
        <ArticleTitle>Balint groups for rural general practitioners.</ArticleTitle>
        <Pagination><MedlinePgn>101-9</MedlinePgn></Pagination>
        <Abstract>
          <AbstractText Label="BACKGROUND">Rural doctors work alone.</AbstractText>
          <AbstractText Label="CONCLUSIONS">Groups helped them.</AbstractText>
        </Abstract>
        <AuthorList CompleteYN="Y">
          <Author ValidYN="Y">
            <LastName>Lindqvist</LastName><ForeName>Anna</ForeName><Initials>A</Initials>
            <Identifier Source="ORCID">0000-0002-1825-0097</Identifier>
            <AffiliationInfo>
              <Affiliation>Umea University, Umea, Sweden.</Affiliation>
            </AffiliationInfo>
          </Author>
          <Author ValidYN="Y">
            <LastName>Okafor</LastName><ForeName>Chidi</ForeName><Initials>C</Initials>
            <AffiliationInfo>
              <Affiliation>Lagos Balint Society, Lagos, Nigeria.</Affiliation>
            </AffiliationInfo>
          </Author>
        </AuthorList>
        <Language>eng</Language>
        <PublicationTypeList>
          <PublicationType UI="D016428">Journal Article</PublicationType>
        </PublicationTypeList>
      </Article>
      <MeshHeadingList>
        <MeshHeading>
          <DescriptorName UI="D002055" MajorTopicYN="Y">Burnout, Professional</DescriptorName>
          <QualifierName UI="Q000523" MajorTopicYN="N">psychology</QualifierName>
        </MeshHeading>
        <MeshHeading>
          <DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName>
        </MeshHeading>
      </MeshHeadingList>
      <KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">rural practice</Keyword></KeywordList>
    </MedlineCitation>
    <PubmedData>
      <ArticleIdList>
        <ArticleId IdType="pubmed">91000001</ArticleId>
        <ArticleId IdType="doi">10.9999/rural.balint</ArticleId>
        <ArticleId IdType="pmc">PMC9100001</ArticleId>
      </ArticleIdList>
      <ReferenceList>
        <Reference>
          <Citation>Balint M. The doctor, his patient and the illness. Lancet. 1955.</Citation>
          <ArticleIdList><ArticleId IdType="pubmed">14354967</ArticleId></ArticleIdList>
        </Reference>
        <Reference>
          <Citation>Doe J. Peer groups. Fam Pract. 2010.</Citation>
          <ArticleIdList><ArticleId IdType="doi">10.9999/peer.groups</ArticleId></ArticleIdList>
        </Reference>
        <Reference><Citation>A report with no identifiers. 2001.</Citation></Reference>
      </ReferenceList>
    </PubmedData>
  </PubmedArticle>
  <PubmedArticle>
    <MedlineCitation Status="MEDLINE" Owner="NLM">
      <PMID Version="1">91000002</PMID>
      <Article PubModel="Print">
        <Journal>
          <JournalIssue CitedMedium="Internet">
            <PubDate><Year>2022</Year></PubDate>
          </JournalIssue>
          <ISOAbbreviation>J Peer Supp Stud</ISOAbbreviation>
        </Journal>
        <ArticleTitle>&lt;script&gt;alert(1)&lt;/script&gt; and <i>Balint</i> groups.</ArticleTitle>
        <Abstract>
          <AbstractText>Text with &lt;script&gt;alert(2)&lt;/script&gt; in it.</AbstractText>
        </Abstract>
      </Article>
    </MedlineCitation>
    <PubmedData>
      <ArticleIdList><ArticleId IdType="pubmed">91000002</ArticleId></ArticleIdList>
      <ReferenceList>
        <Reference>
          <Citation>Lindqvist A. Balint groups for rural general practitioners. 2021.</Citation>
          <ArticleIdList><ArticleId IdType="pubmed">91000001</ArticleId></ArticleIdList>
        </Reference>
      </ReferenceList>
    </PubmedData>
  </PubmedArticle>
</PubmedArticleSet>
"""

SEED_003 = "10.1186/s12913-023-09312-y"
SEED_000 = "10.1177/00912174221122862"
BEAD = re.compile(
    r'<div class="lb-pair lb-bead[^"]*"[^>]*>\s*<p class="lb-en[^"]*" lang="en">(.*?)</p>'
    r'\s*<p class="lb-zh[^"]*" lang="zh-CN">(.*?)</p>',
    re.DOTALL,
)


@dataclass
class Site:
    datasette: Datasette
    db: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    register_publish_plugin()
    folder = tmp_path_factory.mktemp("article_page")
    xml = folder / "pubmed.xml"
    xml.write_text(PUBMED_XML, encoding="utf-8")
    db = seeded_database(folder, (xml,))
    return Site(Datasette([str(db)], immutables=[]), db)


def article_id(db: Path, where: str, value: object) -> int:
    with sqlite3.connect(db) as conn:
        (row,) = conn.execute(f"SELECT id FROM articles WHERE {where} = ?", [value]).fetchall()
    return row[0]


def page(site: Site, where: str, value: object, lang: str = "en") -> str:
    """The article page in an interface language (English unless told)."""
    number = article_id(site.db, where, value)
    response = get(site.datasette, f"/litbalint/articles/{number}?lang={lang}")
    assert response.status_code == 200, response.text
    assert "lb-article-page" in response.text  # our template, not Datasette's row.html
    return response.text


def section(text: str, anchor: str) -> str:
    """The HTML of the <section id=anchor>, or from the <h2 id=anchor> to the next h2 (or the
    end of its section)."""
    start = text.index(f'id="{anchor}"')
    tag = text.rindex("<", 0, start)
    ends = ["</section>"] if text.startswith("<section", tag) else ["<h2", "</section>"]
    stop = min(i for i in (text.find(end, start) for end in ends) if i > 0)
    return text[tag:stop]


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_seed_003_page_is_bilingual_sentence_by_sentence(site):
    text = page(site, "doi", SEED_003)
    assert "理解同伴支持:寻求支持一年后医生的定性访谈研究。" in text
    assert "Understanding peer support: a qualitative interview study of doctors one year" in text
    for en, zh in [("BACKGROUND", "背景"), ("MATERIALS AND METHODS", "材料和方法"),
                   ("RESULTS", "结果"), ("CONCLUSIONS", "结论")]:  # fmt: skip
        assert f'<h3 class="lb-en" lang="en">{en}</h3><h3 class="lb-zh" lang="zh-CN">{zh}</h3>' in (
            text
        )
    beads = [(html.unescape(en), html.unescape(zh)) for en, zh in BEAD.findall(text)]
    assert len(beads) == 16
    assert beads[0] == (
        "Doctors' health is of importance for the quality and development of health care and "
        "to doctors themselves.",
        "医生的健康对于医疗质量和发展以及医生自身都至关重要。",
    )
    assert beads[4][1].startswith("12 名医生在参加了一项对所有挪威医生开放的同伴支持服务")
    assert "lb-low" not in re.sub(r"lb-low-sample", "", text)  # no low-confidence bead here
    assert "low confidence" in text  # the legend
    for label in ["<h2>Abstract</h2>", "<h2>Cite</h2>", "<h2>Affiliations</h2>"]:
        assert label in text
    assert "Research Institute Modum Bad, Postbox 33, Vikersund, 3371, Norway." in text
    assert '<a href="https://doi.org/10.1186/s12913-023-09312-y"' in text
    assert "pubmed.ncbi.nlm.nih.gov/" not in section(text, "cite")  # no PMID known


def test_seed_003_references_and_cited_by(site):
    text = page(site, "doi", SEED_003)
    references = section(text, "references")
    assert "References (2)" in references
    assert "支持同伴支持者。" in references and "Supporting Peer Supporters." in references
    assert "医学生对未来工作条件的态度和期望。" in references
    assert "Tidsskr Nor Laegeforen" in references and "2019" in references
    assert 'href="https://doi.org/10.4045/tidsskr.19.0185"' in references  # a stub: its DOI
    cited_by = section(text, "cited-by")
    assert "Cited by (1)" in cited_by
    assert "医学领域的心理健康污名:我们从何处出发?" in cited_by
    assert "Similar articles (0)" in text


def test_seed_003_cite_block(site):
    text = page(site, "doi", SEED_003)
    cite = plain(section(text, "cite"))
    assert (
        "Understanding peer support: a qualitative interview study of doctors one year after "
        "seeking support. BMC Health Serv Res. 2023 Apr 1;23(1):324. "
        "doi: 10.1186/s12913-023-09312-y." in cite
    )
    number = article_id(site.db, "doi", SEED_003)
    assert f'href="/litbalint/articles/{number}.bib"' in text
    assert f'href="/litbalint/articles/{number}.ris"' in text


def test_seed_000_similar_articles_and_beads(site):
    text = page(site, "doi", SEED_000)
    similar = section(text, "similar")
    assert "Similar articles (4)" in similar
    assert similar.count("<li") == 4
    assert "新冠疫情期间的虚拟巴林特小组" not in similar  # its own entry is not listed
    assert "The Juice is Worth the Squeeze" in html.unescape(similar)
    assert len(BEAD.findall(text)) == 11
    assert "Cited by (1)" in text


def test_pubmed_only_article(site):
    text = page(site, "pmid", 91000001)
    title = '<h1 class="lb-title-en" lang="en">Balint groups for rural general practitioners.</h1>'
    assert title in text
    assert "<h2>Authors</h2>" in text
    authors = plain(section(text, "authors"))
    assert authors.index("Lindqvist A") < authors.index("Okafor C")
    assert "Umea University, Umea, Sweden." in authors
    assert "Lagos Balint Society, Lagos, Nigeria." in authors
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in text
    assert "<h2>MeSH terms</h2>" in text
    assert re.search(r'<li class="lb-major"><a [^>]*>Burnout, Professional</a>', text)
    assert re.search(r"<li><a [^>]*>Humans</a>", text)  # not a major topic
    assert "<h2>Keywords</h2>" in text and "rural practice" in text
    assert "Journal Article" in text
    # only the English abstract, one column
    assert "English abstract only" in text and "lb-single" in text
    assert "Rural doctors work alone." in text and 'class="lb-zh' not in text
    # references: two with an identifier (stubs: PubMed, DOI), one without
    references = section(text, "references")
    assert "References (2)" in references
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/14354967/"' in references
    assert 'href="https://doi.org/10.9999/peer.groups"' in references
    assert "Balint M. The doctor, his patient and the illness. Lancet. 1955." in references
    assert "A report with no identifiers. 2001." in references
    # cited by a corpus article: linked to its article page
    citing = article_id(site.db, "pmid", 91000002)
    assert f'href="/litbalint/articles/{citing}"' in section(text, "cited-by")
    for url in ["https://pubmed.ncbi.nlm.nih.gov/91000001/", "https://doi.org/10.9999/rural.balint",
                "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC9100001/"]:  # fmt: skip
        assert f'href="{url}"' in text
    assert "Lindqvist A, Okafor C. Balint groups for rural general practitioners." in text


def test_database_text_is_escaped(site):
    text = page(site, "pmid", 91000002)
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and <i>Balint</i> groups." in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    # where it is listed, too
    listed = page(site, "pmid", 91000001)
    assert "<script>alert" not in listed and "&lt;script&gt;alert(1)" in listed


def test_stub_pages(site):
    text = page(site, "doi", "10.1093/fampra/cmu065")
    assert "Known only from a citation link" in text
    assert "Balint seminars: the transatlantic experience through videoconference." in text
    assert "No abstract" in text
    text = page(site, "pmid", 14354967)  # known only from a reference list
    assert "The doctor, his patient and the illness." in plain(section(text, "cite"))


def test_default_row_content_stays(site):
    text = page(site, "doi", SEED_003)
    record = text[text.index('id="record"') :]
    assert 'class="rows-and-columns"' in record and "BMC Health Serv Res" in record
    assert ".json" in record


def test_css_is_served(site):
    text = page(site, "doi", SEED_003)
    (href,) = re.findall(r'<link rel="stylesheet" href="([^"]*litbalint\.css[^"]*)">', text)
    assert href.startswith("/-/litbalint.css?v=")  # its own address, versioned by its text
    response = get(site.datasette, href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ".lb-low" in response.text and "@media" in response.text
    assert "http" not in response.text  # nothing fetched from elsewhere
    assert "immutable" in response.headers["cache-control"]  # a new text is a new address


def test_low_confidence_badly_aligned_and_stale(site, tmp_path):
    db = tmp_path / "litbalint.db"
    shutil.copy(site.db, db)
    seed_003, seed_000 = article_id(db, "doi", SEED_003), article_id(db, "doi", SEED_000)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE alignment_beads SET low_confidence = 1 WHERE article_id = ? AND position = 2",
            [seed_003],
        )
        conn.execute("UPDATE alignments SET badly_aligned = 1 WHERE article_id = ?", [seed_003])
        conn.execute("UPDATE alignments SET stale = 1 WHERE article_id = ?", [seed_000])
    datasette = Datasette([str(db)], immutables=[])
    text = get(datasette, f"/litbalint/articles/{seed_003}?lang=en").text
    assert text.count('class="lb-pair lb-bead lb-low"') == 1
    assert "1 of 16 pairs" in text
    assert "alignment of this abstract is poor" in text
    # stale beads are not shown: whole sections side by side instead
    text = get(datasette, f"/litbalint/articles/{seed_000}?lang=en").text
    assert "lb-bead" not in text and "lb-mode-sections" in text
    assert "out of date" in text
    (row,) = re.findall(r'<div class="lb-pair">(.*?)</div>', text, re.DOTALL)
    assert "The Lawrence Family Medicine residency was created" in row
    assert "劳伦斯家庭医学住院医师培训计划始于 20 世纪 90 年代" in row


def test_any_database_name_with_the_schema_gets_the_article_page(site, tmp_path):
    db = tmp_path / "other.db"
    shutil.copy(site.db, db)
    datasette = Datasette([str(db)], immutables=[])
    response = get(datasette, f"/other/articles/{article_id(db, 'doi', SEED_003)}")
    assert response.status_code == 200
    assert 'class="lb-article"' in response.text
    assert 'href="/other/articles/' in response.text  # its links stay in its own database
    # other tables of the same database: Datasette's own row page
    response = get(datasette, "/other/journals/1")
    assert response.status_code == 200 and "lb-article" not in response.text


def test_an_articles_table_of_another_kind_gets_datasette_row_page(tmp_path):
    register_publish_plugin()
    db = tmp_path / "litbalint.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO articles VALUES (1, 'Not a litbalint article')")
    response = get(Datasette([str(db)], immutables=[]), "/litbalint/articles/1")
    assert response.status_code == 200
    assert "Not a litbalint article" in response.text and "lb-article" not in response.text


def test_labels_in_chinese_by_default_and_the_switch(site):
    number = article_id(site.db, "pmid", 91000001)
    text = get(site.datasette, f"/litbalint/articles/{number}").text  # no choice: Chinese
    assert '<article class="lb-article" lang="zh-CN">' in text
    headings = ["引用", "作者", "摘要", "MeSH 主题词", "关键词", "文献类型"]
    for label in [*(f"<h2>{h}</h2>" for h in headings), "<h3>机构</h3>", "参考文献（2）",
                  "被引（1）", "相似文献（0）", "仅有英文摘要", "* 主要主题"]:  # fmt: skip
        assert label in text, label
    assert "其他无标识条目（1）" in text
    article = text[: text.index('id="record"')]
    for english in ["Abstract", "References (", "Cited by", "English abstract only", "Authors"]:
        assert english not in article, english
    assert ">期刊论文</a>" in text and 'title="Journal Article"' in text  # the type, in words
    assert f'href="/litbalint/articles/{number}?lang=en"' in text  # the switch
    assert '<strong lang="zh-CN">中文</strong>' in text
    # the content keeps its language: the English title and abstract, MeSH terms
    assert '<h1 class="lb-title-en" lang="en">' in text
    assert '<p class="lb-en" lang="en">Rural doctors work alone.</p>' in text
    assert '<ul class="lb-mesh" lang="en">' in text


def test_english_labels_from_the_parameter_the_cookie_or_the_browser(site):
    number = article_id(site.db, "doi", SEED_003)
    path = f"/litbalint/articles/{number}"
    asked = [
        get(site.datasette, f"{path}?lang=en").text,
        asyncio.run(site.datasette.client.get(path, cookies={"litbalint_lang": "en"})).text,
        asyncio.run(site.datasette.client.get(path, headers={"accept-language": "en-GB"})).text,
    ]
    for text in asked:
        assert '<article class="lb-article" lang="en">' in text
        assert "<h2>Abstract</h2>" in text and ">Peer support</a>" in text
        assert "Chinese abstract from" in text
        # the English title first, the Chinese one under it; both abstracts side by side
        assert text.index('class="lb-title-en"') < text.index('class="lb-title-zh"')
        assert len(BEAD.findall(text)) == 16
    chinese = page(site, "doi", SEED_003, lang="zh")
    assert ">同伴支持</a>" in chinese and "中文摘要来源：超能文献（Suppr）" in chinese
    assert chinese.index('class="lb-title-zh"') < chinese.index('class="lb-title-en"')
    assert "<title>理解同伴支持" in chinese and "<title>Understanding peer support" in asked[0]
