"""The site never shows where its files are on the server.

- `/-/databases.json` (and `/-/databases`) answer Datasette's list with each file's name in
  place of its absolute path;
- in SQL, the `file` column of `pragma_database_list` reads as NULL: an SQLite authorizer on
  every connection. Only the table-valued form (the one a `?sql=` query can use: Datasette
  refuses PRAGMA statements) is covered, so the plugin and Datasette, which use the statement
  `PRAGMA database_list`, still learn the file.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from datasette.utils import add_cors_headers
from datasette.utils.asgi import Response

HIDDEN_COLUMNS = {("pragma_database_list", "file")}


def authorizer(action: int, table: str | None, column: str | None, *_: object) -> int:
    """Every other action allowed: Datasette's own checks stay in charge of them."""
    if action == sqlite3.SQLITE_READ and (table, column) in HIDDEN_COLUMNS:
        return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    return sqlite3.SQLITE_OK


def databases(datasette) -> list[dict[str, object]]:
    """Datasette's `/-/databases.json` list, each path cut to the file's name."""
    return [
        {
            "name": db.name,
            "route": db.route,
            "path": Path(db.path).name if db.path else None,
            "size": db.size,
            "is_mutable": db.is_mutable,
            "is_memory": db.is_memory,
            "hash": db.hash,
        }
        for name, db in datasette.databases.items()
        if name != "_internal"
    ]


async def databases_view(datasette, request) -> Response:
    """`/-/databases` and `/-/databases.json`, in place of Datasette's own."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    data = databases(datasette)
    if request.url_vars.get("format"):
        headers: dict[str, str] = {}
        if datasette.cors:
            add_cors_headers(headers)
        return Response.json(data, headers=headers)
    page = await datasette.render_template(
        "show_json.html",
        {"filename": "databases.json", "data_json": json.dumps(data, indent=4)},
        request=request,
    )
    return Response.html(page)


ROUTES = [(r"^/-/databases(\.(?P<format>json))?$", databases_view)]
