"""Mutated import files for the fuzz test: seeded, pure functions from an original to bytes.

Every mutant is fully determined by (kind, seed) and the marker file's URL, so a failure is
reproduced with `python -m scripts.fuzz_import --only KIND:SEED --keep DIR`.
"""

from __future__ import annotations

import gzip
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import FIXTURES, SEEDS

MARKER = "LITBALINT-FUZZ-MARKER-5b1e"  # the content of the local file external entities name
PASSWD_SIGN = "root:x:0:0"  # what /etc/passwd would leave in the database
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class Original:
    """A file the mutants are made from: a seed or a PubMed/MEDLINE fixture."""

    path: Path
    format: str  # "text" (Suppr page or bilingual dump), "xml" or "medline"
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True)
class Mutant:
    """One mutated file: its bytes and the text it legitimately holds (for the CJK check)."""

    kind: str
    seed: int
    original: Original
    data: bytes
    text: str  # what a correct reader could find in it; CJK outside this is mojibake
    note: str  # which variant, for the report
    suffix: str = ".txt"
    must_warn: bool = False  # a correct import names this file on stderr

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.seed}{self.suffix}"


def originals() -> list[Original]:
    """The seeds and the PubMed/MEDLINE fixtures, in a fixed order."""
    found = [(path, "text") for path in sorted(SEEDS.glob("*.txt"))]
    found += [(path, "xml") for path in sorted((FIXTURES / "pubmed").glob("*.xml"))]
    found += [(path, "xml") for path in sorted((FIXTURES / "bad").glob("*.xml"))]
    found += [(path, "medline") for path in sorted((FIXTURES / "medline").glob("*.nbib"))]
    return [Original(path, format, path.read_bytes()) for path, format in found]


def cjk_chars(text: str) -> set[str]:
    """The CJK ideographs in text."""
    return set(CJK.findall(text))


def lenient(data: bytes) -> str:
    """What UTF-8 text the bytes hold, bad bytes left out."""
    return data.decode("utf-8", "ignore")


def suffix_of(original: Original) -> str:
    return {"text": ".txt", "xml": ".xml", "medline": ".nbib"}[original.format]


# Each mutation: (rng, original, marker_url) -> (bytes, legitimate text, note).
Result = tuple[bytes, str, str]


def truncate(rng: random.Random, original: Original, marker_url: str) -> Result:
    cut = rng.randrange(0, len(original.data))
    data = original.data[:cut]
    return data, lenient(data), f"cut at byte {cut} of {len(original.data)}"


def byte_flip(rng: random.Random, original: Original, marker_url: str) -> Result:
    data = bytearray(original.data)
    spots = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 8)))
    for spot in spots:
        data[spot] = (
            data[spot] ^ (1 << rng.randrange(8)) if rng.random() < 0.7 else rng.randrange(256)
        )
    return bytes(data), lenient(bytes(data)), f"bytes changed at {spots}"


def nul_bytes(rng: random.Random, original: Original, marker_url: str) -> Result:
    data = bytearray(original.data)
    spots = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 4)))
    run = rng.choice([1, 1, 2, 16, 100])
    for spot in reversed(spots):
        data[spot:spot] = b"\0" * run
    return bytes(data), lenient(bytes(data)), f"{run} NUL(s) inserted at {spots}"


STRAY = [b"\xe9", b"\xfc", b"\x93", b"\x94", b"\xa0", b"\xb5", b"\xe4\xf6", b"\xff", b"\xc3"]


def stray_bytes(rng: random.Random, original: Original, marker_url: str) -> Result:
    """A few non-UTF-8 bytes (Latin-1/cp1252 letters, quotes) between ASCII characters."""
    data = bytearray(original.data)
    ascii_spots = [n for n in range(1, len(data)) if data[n] < 0x80 and data[n - 1] < 0x80]
    spots = sorted(rng.sample(ascii_spots, rng.randint(1, 3)))
    for spot in reversed(spots):
        data[spot : spot + rng.choice([0, 1])] = rng.choice(STRAY)
    return bytes(data), lenient(bytes(data)), f"stray bytes at {spots}"


def utf16(rng: random.Random, original: Original, marker_url: str) -> Result:
    codec = rng.choice(["utf-16-le", "utf-16-be"])
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    if rng.random() < 0.25:  # no byte-order mark at all
        bom, note = b"", f"{codec} without BOM"
    else:
        note = f"{codec} with BOM"
    return bom + original.text.encode(codec), original.text, note


def gb18030(rng: random.Random, original: Original, marker_url: str) -> Result:
    text = original.text
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    return text.encode("gb18030"), text, "GB18030"


def latin1(rng: random.Random, original: Original, marker_url: str) -> Result:
    """Latin-1 (cp1252) text; characters it lacks become '?', as editors save them."""
    text = original.text
    if not re.search(r"[\u00c0-\u00ff]", text):  # give it a few accented letters
        words = ["Montréal", "Zürich", "São Paulo", "Bálint", "naïve", "Ångström"]
        lines = text.split("\n")
        for _ in range(rng.randint(1, 3)):
            n = rng.randrange(len(lines))
            if not lines[n].startswith("PMID"):
                lines[n] = f"{lines[n]} {rng.choice(words)}"
        text = "\n".join(lines)
    codec = rng.choice(["latin-1", "cp1252"])
    data = text.encode(codec, "replace")
    return data, data.decode(codec), codec


def bom(rng: random.Random, original: Original, marker_url: str) -> Result:
    text = original.text
    variant = rng.choice(["utf-8 BOM", "two BOMs", "utf-8 BOM on GB18030", "utf-16 BOM on UTF-8"])
    data = {
        "utf-8 BOM": b"\xef\xbb\xbf" + original.data,
        "two BOMs": b"\xef\xbb\xbf\xef\xbb\xbf" + original.data,
        "utf-8 BOM on GB18030": b"\xef\xbb\xbf" + text.encode("gb18030"),
        "utf-16 BOM on UTF-8": b"\xff\xfe" + original.data,
    }[variant]
    return data, text, variant


def cr_only(rng: random.Random, original: Original, marker_url: str) -> Result:
    data = original.data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    return data, lenient(data), "CR-only line ends"


def huge_line(rng: random.Random, original: Original, marker_url: str) -> Result:
    """A line of 0.5-2 MB, as words or one unbroken token, in the title/abstract."""
    size = rng.randint(500_000, 2_000_000)
    words = ["balint", "group", "peer", "support", "residents", "burnout", "trial"]
    if rng.random() < 0.3:
        filler = "x" * size
    else:
        filler = " ".join(rng.choice(words) for _ in range(size // 7))
        if rng.random() < 0.5:
            filler = filler.replace("trial ", "trial. ")
    text = original.text
    if original.format == "xml" and "</ArticleTitle>" in text:
        text = text.replace("</ArticleTitle>", f" {filler}</ArticleTitle>", 1)
    elif original.format == "medline" and "\nTI  - " in text:
        text = text.replace("\nTI  - ", f"\nTI  - {filler} ", 1)
    else:
        lines = text.split("\n")
        lines.insert(rng.randrange(len(lines) + 1), filler)
        text = "\n".join(lines)
    return text.encode(), text, f"{len(filler):,}-character line"


def deep_nesting(rng: random.Random, original: Original, marker_url: str) -> Result:
    """Thousands of nested <i> in a title, or nested MathML <mrow> in an abstract."""
    depth = rng.choice([300, 500, 1_000, 3_000, 10_000])
    if rng.random() < 0.5:
        inner = "<i>" * depth + "deep" + "</i>" * depth
        text = _in_element(original.text, "ArticleTitle", inner)
        note = f"{depth} nested <i> in ArticleTitle"
    else:
        ns = 'xmlns:mml="http://www.w3.org/1998/Math/MathML"'
        math = f"<mml:math {ns}>" + "<mml:mrow>" * depth + "<mml:mi>x</mml:mi>"
        math += "</mml:mrow>" * depth + "</mml:math>"
        text = _in_element(original.text, "AbstractText", math)
        note = f"{depth} nested MathML <mrow> in AbstractText"
    return text.encode(), text, note


LAUGHS = "\n".join(
    [' <!ENTITY lol0 "lol">']
    + [f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
)


def entity_expansion(rng: random.Random, original: Original, marker_url: str) -> Result:
    """Billion laughs (ten levels of ten), or one 100 KB entity used thousands of times."""
    if rng.random() < 0.6:
        level = rng.randint(4, 9)
        subset, use, note = LAUGHS, f"&lol{level};", f"billion laughs, 10^{level} expansion"
    else:
        times = rng.choice([1_000, 10_000])
        subset = f' <!ENTITY big "{"A" * 100_000}">'
        use, note = "&big;" * times, f"100 KB entity used {times:,} times"
    text = _with_doctype(original.text, subset)
    text = _in_element(text, "ArticleTitle", use)
    return text.encode(), original.text, note


def external_entity(rng: random.Random, original: Original, marker_url: str) -> Result:
    """An external entity naming /etc/passwd or the marker file, general or parameter."""
    target = rng.choice(["file:///etc/passwd", marker_url])
    if rng.random() < 0.7:
        subset, use = f' <!ENTITY xxe SYSTEM "{target}">', "&xxe;"
        note = f"general entity {target}"
    else:
        subset, use = f' <!ENTITY % xxe SYSTEM "{target}">\n %xxe;', ""
        note = f"parameter entity {target}"
    text = _in_element(_with_doctype(original.text, subset), "ArticleTitle", use)
    return text.encode(), original.text, note


BAD_PMIDS = ["0", "-1", "abc", "1e5", "12.5", "١٢٣", "1" * 23, "", "99999999999999999999"]


def invalid_pmid(rng: random.Random, original: Original, marker_url: str) -> Result:
    value = rng.choice(BAD_PMIDS)
    pattern = r"(<PMID[^>]*>)\d+(</PMID>)" if original.format == "xml" else r"(PMID- )\d+()"
    spots = list(re.finditer(pattern, original.text))
    spot = rng.choice(spots)
    text = original.text[: spot.start()] + spot[1] + value + spot[2] + original.text[spot.end() :]
    return text.encode(), text, f"PMID {value!r} at character {spot.start()}"


def gzip_corrupt(rng: random.Random, original: Original, marker_url: str) -> Result:
    packed = bytearray(gzip.compress(original.data, mtime=0))
    variant = rng.choice(["body", "crc", "header", "trailing garbage"])
    if variant == "body":
        for _ in range(rng.randint(1, 4)):
            packed[rng.randrange(10, len(packed) - 8)] ^= 1 << rng.randrange(8)
    elif variant == "crc":
        packed[-8 + rng.randrange(8)] ^= 0xFF
    elif variant == "header":
        packed[rng.choice([2, 3])] = rng.randrange(256)
    else:
        packed += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(packed), lenient(_gunzip_part(bytes(packed))), f"gzip, corrupt {variant}"


def gzip_truncated(rng: random.Random, original: Original, marker_url: str) -> Result:
    packed = gzip.compress(original.data, mtime=0)
    cut = rng.randrange(1, len(packed))
    data = packed[:cut]
    return data, lenient(_gunzip_part(data)), f"gzip cut at byte {cut} of {len(packed)}"


def _gunzip_part(data: bytes) -> bytes:
    """As much as a gzip stream gives before it breaks."""
    unpack = zlib.decompressobj(wbits=31)
    out = b""
    for n in range(0, len(data), 64):
        try:
            out += unpack.decompress(data[n : n + 64])
        except zlib.error:
            break
    return out


def _in_element(text: str, tag: str, inner: str) -> str:
    """inner put at the start of the first <tag ...> element (else of the first element)."""
    match = re.search(rf"<{tag}(\s[^>]*)?>", text) or re.search(r"<PubmedArticle>", text)
    return text[: match.end()] + inner + text[match.end() :]


def _with_doctype(text: str, subset: str) -> str:
    """text with its DOCTYPE (or a new one) carrying an internal subset."""
    text = re.sub(r"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>\s*", "", text, count=1, flags=re.S)
    root = re.search(r"<([A-Za-z]+)[\s>]", text[text.find("?>") + 1 :] if "?>" in text else text)
    doctype = f"<!DOCTYPE {root[1] if root else 'PubmedArticleSet'} [\n{subset}\n]>\n"
    declaration = re.match(r"<\?xml[^>]*\?>\s*", text)
    at = declaration.end() if declaration else 0
    return text[:at] + doctype + text[at:]


Mutation = Callable[[random.Random, Original, str], Result]

# kind -> (mutation, the formats it applies to)
MUTATIONS: dict[str, tuple[Mutation, tuple[str, ...]]] = {
    "truncate": (truncate, ("text", "xml", "medline")),
    "byte_flip": (byte_flip, ("text", "xml", "medline")),
    "nul_bytes": (nul_bytes, ("text", "xml", "medline")),
    "stray_bytes": (stray_bytes, ("text", "xml", "medline")),
    "utf16": (utf16, ("text", "xml", "medline")),
    "gb18030": (gb18030, ("text", "xml", "medline")),
    "latin1": (latin1, ("text", "xml", "medline")),
    "bom": (bom, ("text", "xml", "medline")),
    "cr_only": (cr_only, ("text", "xml", "medline")),
    "huge_line": (huge_line, ("text", "xml", "medline")),
    "deep_nesting": (deep_nesting, ("xml",)),
    "entity_expansion": (entity_expansion, ("xml",)),
    "external_entity": (external_entity, ("xml",)),
    "invalid_pmid": (invalid_pmid, ("xml", "medline")),
    "gzip_corrupt": (gzip_corrupt, ("text", "xml", "medline")),
    "gzip_truncated": (gzip_truncated, ("text", "xml", "medline")),
}
KINDS = list(MUTATIONS)


def make_mutant(
    kind: str, seed: int, marker_url: str, pool: list[Original] | None = None
) -> Mutant:
    """The mutant (kind, seed): an original picked by the seed, mutated by the seed."""
    mutation, formats = MUTATIONS[kind]
    rng = random.Random(f"{kind}:{seed}")
    candidates = [o for o in pool or originals() if o.format in formats]
    if kind == "invalid_pmid":
        candidates = [o for o in candidates if re.search(rb"<PMID[^>]*>\d|PMID- \d", o.data)]
    original = rng.choice(candidates)
    data, text, note = mutation(rng, original, marker_url)
    suffix = suffix_of(original) + (".gz" if kind.startswith("gzip") else "")
    return Mutant(kind, seed, original, data, text, note, suffix, must_warn=kind == "invalid_pmid")


def mutants(count: int, seed: int, marker_url: str, kinds: list[str] | None = None) -> list[Mutant]:
    """count mutants, the kinds in turn, each with its own seed drawn from `seed`."""
    kinds = kinds or KINDS
    rng = random.Random(seed)
    pool = originals()
    return [
        make_mutant(kinds[n % len(kinds)], rng.randrange(1_000_000), marker_url, pool)
        for n in range(count)
    ]
