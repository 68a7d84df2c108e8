"""PubMed IDs: the one place a PMID is read from text and checked."""

from __future__ import annotations

# PMIDs are numbered in sequence from 1 and passed 40,000,000 in 2025; NCBI stores them as
# up to 8 digits. A 9-digit or longer "PMID" is a typo or garbage, not a future article (and
# past 2**63 it would not even fit SQLite's INTEGER).
PMID_LIMIT = 100_000_000  # every PMID is below this
PMID_RULE = "a PMID is 1 to 8 digits 0-9, from 1 to 99999999"


def read_pmid(text: str | None) -> int | None:
    """The PMID `text` holds (white space around it allowed); None for no text or an invalid
    one (zero, a sign, other digits than 0-9, a decimal point or exponent, too many digits)."""
    if text is None:
        return None
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 8):
        return None
    pmid = int(value)
    return pmid if 0 < pmid < PMID_LIMIT else None


def is_pmid(value: object) -> bool:
    """True for an int that is a valid PMID."""
    return type(value) is int and 0 < value < PMID_LIMIT


def bad_pmid_message(text: str) -> str:
    """How a record's invalid PMID is named in a warning."""
    return f"PMID {text.strip()[:40]!r} is not a PubMed ID ({PMID_RULE})"
