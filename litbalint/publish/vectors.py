"""Nearest corpus articles by embedding, for the search page and the article page's related
list; read-only.

`nearest` is brute force: one matrix product over every stored vector (numpy), the best k by
`argpartition`, then only live corpus articles kept (is_stub = 0, deleted = 0, checked in the
caller's snapshot, so an article deleted since its vector was stored never shows). The matrix
(float32, one row per vector of the current `embed.MODEL_NAME`) is read once per database file
and shared by the connections that read it: each connection checks, only when `PRAGMA
data_version` says something was committed (`corpus.unchanged_since`), a signature of
`article_vectors` (count, latest `embedded_at`, sum of ids: every write of store/vectors.py
moves it), and when it changed reads only the rows written since (or everything again
when rows were deleted). When embeddings are switched off, or there are
no vectors, everything here answers "nothing" (empty lists, None): no vector signal.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from litbalint import embed
from litbalint.publish.corpus import unchanged_since

if TYPE_CHECKING:
    import numpy as np

RELATED = 8  # articles in the article page's related list
QUERY_VECTORS_KEPT = 256  # the latest queries' embeddings (1.5 KB each)
# Of a query embedded: 200 CJK characters take up to ~0.4 s on one core (500: ~1.2 s), and an
# embedding cannot be interrupted by the SQL time limit.
QUERY_EMBEDDED_CHARS = 200
SIGNATURE_SQL = "SELECT count(*), max(embedded_at), total(article_id) FROM article_vectors"


@dataclass(frozen=True)
class Vectors:
    """Every stored vector of one model: ids sorted, rows in the same order."""

    ids: np.ndarray  # int64 (n,)
    matrix: np.ndarray  # float32 (n, DIM), rows L2-normalised
    others: int = 0  # rows of other models (an older recipe, not re-embedded yet): left out
    others_total: float = 0.0  # the sum of their ids

    def row_of(self, article_id: int) -> int | None:
        import numpy as np

        at = int(np.searchsorted(self.ids, article_id))
        return at if at < len(self.ids) and self.ids[at] == article_id else None


_lock = threading.Lock()
_shared: dict[str, tuple[tuple, Vectors]] = {}  # database file -> (signature, its vectors)


def _database_file(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] or f"memory:{id(conn)}"


def stored_vectors(conn: sqlite3.Connection) -> Vectors | None:
    """The vectors of this database as the connection's snapshot sees them (cached; see the
    module's docstring), or None when there are none or embeddings are switched off."""
    if embed.switched_off():
        return None
    try:
        signature = unchanged_since(
            conn, "vectors-signature", lambda: tuple(conn.execute(SIGNATURE_SQL).fetchone())
        )
    except sqlite3.OperationalError:  # no article_vectors: an older litbalint's database
        return None
    if not signature[0]:
        return None
    key = _database_file(conn)
    with _lock:
        kept = _shared.get(key)
    if kept is not None and kept[0] == signature:
        return kept[1]
    loaded = _added(conn, kept, signature) if kept is not None else None
    if loaded is None:
        loaded = _load(conn)
    with _lock:
        _shared[key] = (signature, loaded)
    return loaded


def _load(conn: sqlite3.Connection) -> Vectors:
    import numpy as np

    rows = conn.execute(
        "SELECT article_id, vector, model = ? FROM article_vectors ORDER BY article_id",
        [embed.MODEL_NAME],
    ).fetchall()
    current = [row for row in rows if row[2]]
    ids = np.fromiter((row[0] for row in current), dtype=np.int64, count=len(current))
    others = float(sum(row[0] for row in rows if not row[2]))
    return Vectors(
        ids, embed.from_blobs([row[1] for row in current]), len(rows) - len(current), others
    )


def _added(conn: sqlite3.Connection, kept: tuple[tuple, Vectors], now: tuple) -> Vectors | None:
    """The kept vectors with the rows written since (`embedded_at` later than the kept
    signature's): a nightly `embed` committing batch after batch costs their rows, not a
    reload each time. None when that does not give the table as it is now (rows deleted,
    another model): reload."""
    import numpy as np

    (_, latest, _), old = kept
    if latest is None or now[1] is None or now[1] < latest:
        return None
    rows = conn.execute(
        "SELECT article_id, vector, model = ? FROM article_vectors WHERE embedded_at > ? "
        "ORDER BY article_id",
        [embed.MODEL_NAME, latest],
    ).fetchall()
    if not all(row[2] for row in rows):
        return None
    new_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    fresh = embed.from_blobs([row[1] for row in rows])
    at = np.minimum(np.searchsorted(old.ids, new_ids), max(len(old.ids) - 1, 0))
    known = old.ids[at] == new_ids if len(old.ids) else np.zeros(len(rows), dtype=bool)
    ids = np.concatenate([old.ids, new_ids[~known]])
    if len(ids) + old.others != now[0] or float(ids.sum()) + old.others_total != float(now[2]):
        return None
    matrix = np.concatenate([old.matrix, fresh[~known]])  # the one copy of the matrix
    matrix[at[known]] = fresh[known]  # re-embedded articles in place, in the copy
    if len(old.ids) and (~known).any() and new_ids[~known].min() < old.ids[-1]:
        order = np.argsort(ids, kind="stable")  # new articles are mostly the newest ids
        ids, matrix = ids[order], matrix[order]
    return Vectors(ids, matrix, old.others, old.others_total)


def nearest(
    conn: sqlite3.Connection,
    query_vector: np.ndarray | None,
    k: int,
    exclude_ids: Iterable[int] = (),
    above_median: float | None = None,
) -> list[tuple[int, float]]:
    """The `k` live corpus articles whose vectors are closest to `query_vector` (cosine, best
    first), as (article id, similarity); none of `exclude_ids`; with `above_median`, only
    those at least that much above the median similarity of every stored vector. [] when
    there is no query vector or no stored vector."""
    vectors = stored_vectors(conn)
    if vectors is None or query_vector is None or k <= 0:
        return []
    return scored(vectors, query_vector, above_median).nearest(conn, k, exclude_ids)


@dataclass(frozen=True)
class Scored:
    """Every stored vector's similarity to a query, and the least one that counts (None: any):
    the part of `nearest` that needs no connection (a thread of its own may compute it)."""

    vectors: Vectors
    scores: np.ndarray  # float32 (n,), in the order of vectors.ids
    floor: float | None = None

    def nearest(
        self, conn: sqlite3.Connection, k: int, exclude_ids: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """The `k` best live articles (in the connection's snapshot) at or above the floor."""
        if k <= 0:
            return []
        found = nearest_of(conn, self.vectors, self.scores, k, exclude_ids)
        return found if self.floor is None else [hit for hit in found if hit[1] >= self.floor]


def scored(vectors: Vectors, query_vector: np.ndarray, above_median: float | None) -> Scored:
    """The similarities of every stored vector to the query (one matrix product) and, with
    `above_median`, the floor: that much above their median."""
    import numpy as np

    scores = vectors.matrix @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
    if above_median is None:
        return Scored(vectors, scores)
    middle = len(scores) // 2
    return Scored(vectors, scores, float(np.partition(scores, middle)[middle]) + above_median)


def nearest_of(
    conn: sqlite3.Connection,
    vectors: Vectors,
    scores: np.ndarray,
    k: int,
    exclude_ids: Iterable[int],
) -> list[tuple[int, float]]:
    """The `k` live articles of the best `scores` (one per stored vector), best first."""
    import numpy as np

    excluded = set(exclude_ids)
    total = len(scores)
    want = min(total, k + len(excluded) + 8)
    while True:
        top = np.argpartition(-scores, want - 1)[:want] if want < total else np.arange(total)
        top = top[np.argsort(-scores[top], kind="stable")]
        candidates = [int(vectors.ids[i]) for i in top if int(vectors.ids[i]) not in excluded]
        live = _live(conn, candidates)
        found = [(int(vectors.ids[i]), float(scores[i])) for i in top]
        found = [(article_id, score) for article_id, score in found if article_id in live]
        if len(found) >= k or want >= total:
            return found[:k]
        want = min(total, want * 4)  # articles deleted since they were embedded: look further


def _live(conn: sqlite3.Connection, article_ids: list[int]) -> set[int]:
    """Those of these articles that are in the corpus now (not stubs, not deleted)."""
    rows = conn.execute(
        "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?)) "
        "AND is_stub = 0 AND deleted = 0",
        [json.dumps(article_ids)],
    )
    return {row[0] for row in rows}


def related(conn: sqlite3.Connection, article_id: int, k: int = RELATED) -> list[tuple[int, float]]:
    """The corpus articles nearest to this one by embedding, best first; [] when it has no
    vector (not embedded yet, a stub) or embeddings are off."""
    vectors = stored_vectors(conn)
    row = vectors.row_of(article_id) if vectors is not None else None
    if vectors is None or row is None:
        return []
    return nearest(conn, vectors.matrix[row], k, exclude_ids=(article_id,))


def query_vector(text: str) -> np.ndarray | None:
    """A search query's embedding (e5's "query: " side, one thread so the site's other
    requests go on) of its first QUERY_EMBEDDED_CHARS characters, or None when embeddings are
    off or unavailable or the text is blank. The latest queries' are kept: the next page or a
    facet of the same query costs nothing."""
    return None if embed.switched_off() else _query_vector(text[:QUERY_EMBEDDED_CHARS])


@lru_cache(maxsize=QUERY_VECTORS_KEPT)
def _query_vector(text: str) -> np.ndarray | None:
    return embed.query_vector(text, threads=1)
