"""Reply shapes as NCBI sends them (litbalint/eutils_replies.py): small fixtures written for
this project, modelled on real replies (DOCTYPEs, tab indentation, ERRORs at the root, inside a
LinkSet and inside a LinkSetDb, esummary's JSON errors, WarningList and ErrorList)."""

from __future__ import annotations

import json

import pytest

from litbalint.eutils_replies import (
    EutilsRequestError,
    TransientReply,
    classify,
    link_sets,
    records,
    search_result,
    summaries,
)
from tests.support.fake_eutils import NCBI_LINK_NAMES

DECL = '<?xml version="1.0" encoding="UTF-8" ?>\n'
LINK_DOCTYPE = (
    '<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD elink 20101123//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n'
)
SEARCH_DOCTYPE = (
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
CPP_EXCEPTION = (
    'NCBI C++ Exception:\n    Error: TXCLIENT(CException::eUnknown) "src/txclient.cpp", '
    "line 9: ncbi::CTxRawClientImpl::readAll() --- Read failed: EOF (the other side has "
    "unexpectedly closed connection), peer: 10.0.0.1:8064"
)


def _link_db(name: str, links: list[tuple[int, int | None]]) -> str:
    items = "".join(
        f"\t\t\t<Link>\n\t\t\t\t<Id>{pmid}</Id>\n"
        + (f"\t\t\t\t<Score>{score}</Score>\n" if score is not None else "")
        + "\t\t\t</Link>\n"
        for pmid, score in links
    )
    return (
        f"\t\t<LinkSetDb>\n\t\t\t<DbTo>pubmed</DbTo>\n\t\t\t<LinkName>{name}</LinkName>\n"
        f"{items}\t\t</LinkSetDb>\n"
    )


def _link_set(pmid: int, inner: str) -> str:
    return (
        f"\t<LinkSet>\n\t\t<DbFrom>pubmed</DbFrom>\n\t\t<IdList>\n\t\t\t<Id>{pmid}</Id>\n"
        f"\t\t</IdList>\n{inner}\t</LinkSet>\n"
    )


def _elink(inner: str) -> bytes:
    return f"{DECL}{LINK_DOCTYPE}<eLinkResult>\n{inner}</eLinkResult>\n".encode()


def test_elink_reply_with_all_link_names_and_scores_keeps_only_the_asked_one() -> None:
    every = "".join(
        _link_db(name, [(900 + i, 50 - i) for i in range(3)]) for name in NCBI_LINK_NAMES
    )
    body = _elink(_link_set(1, every) + _link_set(2, _link_db("pubmed_pubmed", [(2, 99), (7, 5)])))
    similar = link_sets(body, [1, 2], "pubmed_pubmed")
    assert similar.failed == {}
    assert similar.links[1].similar == [(900, 50.0), (901, 49.0), (902, 48.0)]
    assert similar.links[1].refs == [] and similar.links[1].cited_by == []
    assert similar.links[2].similar == [(7, 5.0)]  # never its own neighbour
    refs = link_sets(body, [1, 2], "pubmed_pubmed_refs")
    assert refs.links[1].refs == [900, 901, 902] and refs.links[2].refs == []


def test_elink_article_without_links_is_an_empty_link_set_not_a_failure() -> None:
    reply = link_sets(_elink(_link_set(5, "")), [5], "pubmed_pubmed_citedin")
    assert reply.failed == {} and reply.links[5].cited_by == []


def test_elink_root_error_is_transient_and_splittable() -> None:
    body = f"{DECL}{LINK_DOCTYPE}<eLinkResult>\n\t<ERROR>{CPP_EXCEPTION}</ERROR>\n</eLinkResult>"
    with pytest.raises(TransientReply, match="Read failed: EOF") as raised:
        link_sets(body.encode(), [1, 2], "pubmed_pubmed")
    assert raised.value.splittable


def test_elink_error_inside_a_link_set_fails_that_pmid_only() -> None:
    broken = _link_set(2, f"\t\t<ERROR>{CPP_EXCEPTION}</ERROR>\n")
    body = _elink(_link_set(1, _link_db("pubmed_pubmed_refs", [(10, None)])) + broken)
    reply = link_sets(body, [1, 2], "pubmed_pubmed_refs")
    assert reply.links[1].refs == [10]
    assert set(reply.failed) == {2} and 2 not in reply.links
    assert "Read failed" in reply.failed[2]


def test_elink_error_inside_a_link_set_db_fails_that_pmid() -> None:
    db = (
        "\t\t<LinkSetDb>\n\t\t\t<DbTo>pubmed</DbTo>\n\t\t\t<LinkName>pubmed_pubmed</LinkName>\n"
        "\t\t\t<ERROR>CPmCSResult::Fetch() : Can not fetch result</ERROR>\n\t\t</LinkSetDb>\n"
    )
    reply = link_sets(_elink(_link_set(3, db)), [3], "pubmed_pubmed")
    assert set(reply.failed) == {3} and reply.links == {}


def test_elink_error_in_a_link_set_without_id_fails_the_request() -> None:
    body = _elink(
        "\t<LinkSet>\n\t\t<DbFrom>pubmed</DbFrom>\n\t\t<ERROR>Backend failed</ERROR>\n"
        "\t</LinkSet>\n"
    )
    with pytest.raises(TransientReply):
        link_sets(body, [1, 2], "pubmed_pubmed_refs")


def test_elink_pmid_missing_from_the_reply_failed() -> None:
    reply = link_sets(_elink(_link_set(1, "")), [1, 2], "pubmed_pubmed_refs")
    assert set(reply.failed) == {2}


def test_esummary_too_many_uids_is_permanent_not_empty() -> None:
    body = json.dumps(
        {
            "header": {"type": "esummary", "version": "0.3"},
            "error": "Too many UIDs in request. Maximum number of UIDs is 500 for JSON format "
            "output.",
        },
        indent=4,
    ).encode()
    with pytest.raises(EutilsRequestError, match="Too many UIDs"):
        summaries(body)


def test_esummary_backend_error_is_transient() -> None:
    body = b'{"header": {"type": "esummary"}, "esummaryresult": ["Backend failed: try later"]}'
    with pytest.raises(TransientReply):
        summaries(body)


def test_esummary_per_uid_error_is_not_a_title() -> None:
    body = json.dumps(
        {
            "header": {"type": "esummary", "version": "0.3"},
            "result": {
                "uids": ["11", "12"],
                "11": {
                    "uid": "11",
                    "title": "A title.",
                    "source": "J",
                    "pubdate": "2020",
                    "articleids": [{"idtype": "doi", "value": "10.1/x"}],
                },
                "12": {"uid": "12", "error": "cannot get document summary"},
            },
        }
    ).encode()
    reply = summaries(body)
    assert [(s.pmid, s.title, s.doi) for s in reply.summaries] == [(11, "A title.", "10.1/x")]
    assert set(reply.failed) == {12}


def _search(inner: str) -> bytes:
    return f"{DECL}{SEARCH_DOCTYPE}<eSearchResult>\n{inner}</eSearchResult>\n".encode()


def test_esearch_translation_warnings_and_errors() -> None:
    body = _search(
        "\t<Count>2</Count>\n\t<RetMax>2</RetMax>\n\t<RetStart>0</RetStart>\n"
        "\t<IdList>\n\t\t<Id>31</Id>\n\t\t<Id>30</Id>\n\t</IdList>\n"
        "\t<TranslationSet/>\n"
        '\t<QueryTranslation>"balint"[All Fields] AND   group[All Fields]</QueryTranslation>\n'
        "\t<ErrorList>\n\t\t<PhraseNotFound>xyzzy</PhraseNotFound>\n\t</ErrorList>\n"
        "\t<WarningList>\n"
        '\t\t<QuotedPhraseNotFound>"balint groups for"</QuotedPhraseNotFound>\n'
        "\t\t<PhraseIgnored>the</PhraseIgnored>\n"
        "\t\t<OutputMessage>Quoted phrase not found.</OutputMessage>\n"
        "\t</WarningList>\n"
    )
    result = search_result(body)
    assert (result.count, result.ids) == (2, [31, 30])
    assert result.translation == '"balint"[All Fields] AND group[All Fields]'
    assert result.errors == ["PhraseNotFound: xyzzy"]
    assert result.warnings == [
        'QuotedPhraseNotFound: "balint groups for"',
        "PhraseIgnored: the",
        "OutputMessage: Quoted phrase not found.",
    ]


def test_esearch_nothing_found_error_is_an_empty_result() -> None:
    body = _search(
        "\t<ERROR>Can't run executor</ERROR>\n"
        "\t<ErrorList>\n\t\t<PhraseNotFound>qwzx[All Fields]</PhraseNotFound>\n\t</ErrorList>\n"
        "\t<WarningList>\n\t\t<OutputMessage>No items found.</OutputMessage>\n\t</WarningList>\n"
    )
    result = search_result(body)
    assert (result.count, result.ids) == (0, [])
    assert result.errors == ["PhraseNotFound: qwzx[All Fields]"]


def test_esearch_unknown_field_is_permanent() -> None:
    body = _search(
        "\t<ERROR>Can't run executor</ERROR>\n"
        "\t<ErrorList>\n\t\t<FieldNotFound>XYZ</FieldNotFound>\n\t</ErrorList>\n"
    )
    with pytest.raises(EutilsRequestError, match="FieldNotFound: XYZ"):
        search_result(body)


def test_esearch_backend_failure_is_transient() -> None:
    body = _search("\t<ERROR>Search Backend failed: Couldn't resolve #exLB</ERROR>\n")
    with pytest.raises(TransientReply):
        search_result(body)


def test_efetch_error_is_never_an_empty_set() -> None:
    body = (
        f"{DECL}<eFetchResult>\n\t<ERROR>Unable to fetch records: Backend failed</ERROR>\n"
        "</eFetchResult>\n"
    ).encode()
    with pytest.raises(TransientReply):
        records(body)


@pytest.mark.parametrize(
    ("message", "permanent"),
    [
        ("Too many UIDs in request. Maximum number of UIDs is 500 for JSON format output.", True),
        ("Search Backend failed: Exception: 'retstart' cannot be larger than 9998.", True),
        ("Invalid query syntax", True),
        ("Empty id list - nothing todo", True),
        ("Wrong DB name", True),
        (CPP_EXCEPTION, False),
        ("Unable to obtain query #1", False),
        ("Search Backend failed: Couldn't resolve #exLB, the address table is empty.", False),
        ("something new NCBI never said before", False),
    ],
)
def test_classify(message: str, permanent: bool) -> None:
    error = classify(message, "elink.fcgi")
    assert isinstance(error, EutilsRequestError) == permanent
    assert isinstance(error, TransientReply) != permanent


def test_esearch_error_beside_a_count_is_not_an_empty_result() -> None:
    body = _search("\t<Count>0</Count>\n\t<ERROR>Search Backend failed: Couldn't resolve</ERROR>\n")
    with pytest.raises(TransientReply):
        search_result(body)


def test_esearch_syntax_error_is_permanent_and_says_why() -> None:
    body = _search(
        "\t<ERROR>Can't run executor</ERROR>\n\t<WarningList>\n"
        "\t\t<OutputMessage>Your request produced no results</OutputMessage>\n"
        "\t\t<OutputMessage>Query syntax error.</OutputMessage>\n\t</WarningList>\n"
    )
    with pytest.raises(EutilsRequestError, match="Query syntax error"):
        search_result(body)


def test_esummary_error_beside_an_empty_result_is_not_an_empty_answer() -> None:
    body = (
        b'{"header": {"type": "esummary", "version": "0.3"}, '
        b'"error": "Invalid uid abc at position= 0", "result": {"uids": []}}'
    )
    with pytest.raises(EutilsRequestError, match="Invalid uid"):
        summaries(body)


def test_esummary_uids_that_are_no_pmids_are_left_out() -> None:
    body = json.dumps(
        {
            "header": {"type": "esummary", "version": "0.3"},
            "result": {
                "uids": ["123", "١٢٣", "0", "123456789012345678901"],
                "123": {"uid": "123", "title": "A title."},
                "١٢٣": {"uid": "١٢٣", "title": "Arabic-Indic digits."},
                "0": {"uid": "0", "title": "Zero."},
                "123456789012345678901": {"title": "Too long."},
            },
        }
    ).encode()
    reply = summaries(body)
    assert [s.pmid for s in reply.summaries] == [123] and reply.failed == {}
