"""`litbalint_search(query [, limit])`: the readers' search from SQL, for researchers.

Registered on every connection by the plugin's `prepare_connection` hook. It returns a JSON
array of the fused ranking's first `limit` corpus articles (default 20, at most 500), best
first: `[{"id", "score", "matched_by"}]`, the same signals and fusion as `/-/search` (the
query's words, its translation, its embedding). Join it to the articles:

    select a.id, a.pmid, a.title_en, a.title_zh, j.value ->> 'score' as score
    from json_each(litbalint_search('巴林特小组 住院医师')) j
    join articles a on a.id = j.value ->> 'id'

It runs inside the query that calls it, so under the instance's SQL time limit; it reads the
query's first zh.MAX_QUERY_CHARS characters, embeds its first vectors.QUERY_EMBEDDED_CHARS.
"""

from __future__ import annotations

import json
import sqlite3

from litbalint.zh import query_text

DEFAULT_LIMIT = 20
MAX_LIMIT = 500


def register(conn: sqlite3.Connection) -> None:
    def litbalint_search(query: object, limit: object = DEFAULT_LIMIT) -> str:
        from litbalint.publish.crosslingual_search import SIGNALS
        from litbalint.publish.fts_query import escape_fts
        from litbalint.publish.match_window import LIVE
        from litbalint.publish.search_ranked import rank

        text = query_text(query if isinstance(query, str) else str(query or ""))
        try:
            size = min(max(int(limit), 1), MAX_LIMIT)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            size = DEFAULT_LIMIT
        if not text:
            return "[]"
        live: tuple[list[str], dict[str, object]] = (list(LIVE), {})
        ranked = rank(conn, escape_fts(text), live, 0, size, SIGNALS, text)
        return json.dumps(
            [
                {"id": article_id, "score": round(score, 6), "matched_by": signals}
                for article_id, score, signals in ranked.page
            ]
        )

    conn.create_function("litbalint_search", 1, litbalint_search)
    conn.create_function("litbalint_search", 2, litbalint_search)
