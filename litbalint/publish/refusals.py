"""Plain 4xx answers where Datasette 0.65 fails with a 500 on a client's mistake: a sort by a
column the table does not have (400) and a POST to a canned query, which are all read-only
here (405). Through the `handle_exception` hook; the page or JSON is Datasette's own error
answer with the right status and one line saying what is wrong."""

from __future__ import annotations

from datasette.handle_exception import handle_exception as datasette_error_answer
from datasette.utils import tilde_decode
from datasette.views.base import DatasetteError

READ_METHODS = ("GET", "HEAD")
_BAD_SORT = "Cannot sort table by "


def refusal(datasette, request, exception):
    """The hook's answer (an awaitable returning the response), or None: not one of ours."""
    if isinstance(exception, DatasetteError) and str(exception.message).startswith(_BAD_SORT):
        column = str(exception.message)[len(_BAD_SORT) :]
        message = f"Cannot sort by {column}: the table has no such column"
        return datasette_error_answer(datasette, request, DatasetteError(message, status=400))
    if request.method not in READ_METHODS and {"database", "table"} <= set(request.url_vars):
        return _post_to_canned_query(datasette, request)
    return None


def _post_to_canned_query(datasette, request):
    async def answer():
        try:
            database = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
        except KeyError:
            return None
        name = tilde_decode(request.url_vars["table"])
        if not await datasette.get_canned_query(database.name, name, request.actor):
            return None
        message = f"{name} is a read-only query: ask for it with GET (a link or a form)"
        error = DatasetteError(message, status=405)
        response = await datasette_error_answer(datasette, request, error)()
        response.headers["Allow"] = ", ".join(READ_METHODS)
        return response

    return answer
