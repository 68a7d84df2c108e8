"""The plugin's stylesheet, served at one address of its own (`/-/litbalint.css?v=<hash>`):
the pages link it without asking Datasette which name it registered the plugin under."""

from __future__ import annotations

import functools
import hashlib

from datasette.utils.asgi import Response

from litbalint.resources import STYLESHEET, packaged_text

PATH = "-/litbalint.css"


@functools.cache
def _text() -> str:
    return packaged_text(STYLESHEET)


def css_url(datasette) -> str:
    """The stylesheet's address; its version changes with its text, so browsers may keep it."""
    version = hashlib.sha256(_text().encode()).hexdigest()[:10]
    return f"{datasette.urls.path(PATH)}?v={version}"


async def stylesheet() -> Response:
    """The stylesheet, to be kept by browsers (its address changes with it)."""
    return Response(
        _text(),
        content_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


ROUTES = [(r"^/-/litbalint\.css$", stylesheet)]
