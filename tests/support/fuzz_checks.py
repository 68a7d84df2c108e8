"""Import mutants the way a user does (`python -m litbalint import` in a subprocess) into a
copy of a database holding the originals, and check what must hold for any input."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fuzz_mutations import MARKER, PASSWD_SIGN, Mutant, Original, cjk_chars

# failure kinds, in report order
TRACEBACK = "traceback"
INTERNAL = "internal error"
EXIT_CODE = "bad exit code"
HANG = "hang"
INTEGRITY = "integrity"
ROWS_CHANGED = "seed rows changed"
EXTERNAL = "external entity"
MOJIBAKE = "mojibake"
SILENT_PMID = "silent bad PMID"
BAD_PMID = "bad PMID stored"
FAILURE_KINDS = [
    TRACEBACK, INTERNAL, EXIT_CODE, HANG, INTEGRITY, ROWS_CHANGED, EXTERNAL, MOJIBAKE,
    SILENT_PMID, BAD_PMID,
]  # fmt: skip
EXIT_CODES = (
    0,
    1,
)  # docs/operations.md, `import`: 0 all imported, 1 a file refused or partly unreadable
PMID_MAX = 999_999_999


@dataclass
class Failure:
    check: str
    message: str


@dataclass
class Baseline:
    """A database with the originals imported, and what it held."""

    db: Path
    owned: dict[bytes, set[int]]  # original's bytes -> the articles its import touched
    ids: dict[int, tuple[int | None, str | None]]  # article id -> (pmid, doi)
    rows: dict[int, list]  # article id -> its rows in every table about articles
    cjk: set[str]


@dataclass
class BatchResult:
    """One import run over several mutants."""

    failures: dict[str, list[Failure]] = field(default_factory=dict)  # by mutant name
    whole: list[Failure] = field(default_factory=list)  # not attributable to one mutant
    suspects: set[str] = field(default_factory=set)  # to run alone to attribute


def import_command(db: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "litbalint", "import", "--db", str(db), *map(str, files)]


def run_import(db: Path, files: list[Path], timeout: float) -> tuple[int | None, str]:
    """(exit code or None on timeout, stdout + stderr) of `litbalint import`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LITBALINT_")}
    if "LITBALINT_CACHE" in os.environ:  # the tests' own cache folder, not the user's
        env["LITBALINT_CACHE"] = os.environ["LITBALINT_CACHE"]
    try:
        done = subprocess.run(
            import_command(db, files),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
            cwd=db.parent,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or b""
        return None, output.decode(errors="replace") if isinstance(output, bytes) else output
    return done.returncode, done.stdout + done.stderr


def make_baseline(folder: Path, originals: list[Original], timeout: float = 300) -> Baseline:
    """Import the originals into folder/baseline.db and snapshot it."""
    db = folder / "baseline.db"
    code, output = run_import(db, [o.path for o in originals], timeout)
    if code not in EXIT_CODES or "Traceback" in output:
        raise RuntimeError(f"the originals did not import (exit {code}):\n{output}")
    with closing_db(db) as conn:
        files = dict(conn.execute("select sha256, id from import_files"))
        by_file = defaultdict(set)
        for article, file in conn.execute("select article_id, file_id from article_sources"):
            by_file[file].add(article)
        ids = {
            row[0]: (row[1], row[2]) for row in conn.execute("select id, pmid, doi from articles")
        }
        rows, cjk = article_rows(conn), database_cjk(conn)
    owned = {o.data: by_file[files.get(_sha256(o.data))] for o in originals}
    return Baseline(db, owned, ids, rows, cjk)


def closing_db(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def article_tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    return [
        name
        for name in names
        if "article_id" in {r[1] for r in conn.execute(f"pragma table_info({name})")}
    ]


def article_rows(conn: sqlite3.Connection) -> dict[int, list]:
    """Per article: its articles row, then its rows in every table with an article_id,
    and the citations it makes."""
    rows: dict[int, list] = defaultdict(list)
    for row in conn.execute("select * from articles order by id"):
        rows[row[0]].append(("articles", row))
    for table in article_tables(conn):
        cursor = conn.execute(f"select * from {table} order by rowid")
        column = [d[0] for d in cursor.description].index("article_id")
        for row in cursor:
            rows[row[column]].append((table, row))
    for row in conn.execute("select * from citations order by rowid"):
        rows[row[0]].append(("citations", row))
    return {article: sorted(found, key=repr) for article, found in rows.items()}


def database_text(conn: sqlite3.Connection) -> str:
    return "\n".join(conn.iterdump())


def database_cjk(conn: sqlite3.Connection) -> set[str]:
    return cjk_chars(database_text(conn))


def owned_by(baseline: Baseline, mutant: Mutant) -> set[int]:
    """Baseline articles a mutant may change: its original's, and any whose PMID or DOI it
    holds (a flipped digit can turn one PMID into another)."""
    numbers = set(re.findall(r"\d+", mutant.text))
    lowered = mutant.text.lower()
    named = {
        article
        for article, (pmid, doi) in baseline.ids.items()
        if (pmid is not None and str(pmid) in numbers) or (doi and doi.lower() in lowered)
    }
    return baseline.owned.get(mutant.original.data, set()) | named


def names_file(output: str, name: str) -> list[str]:
    """The warning and error lines naming the file."""
    return [line for line in output.splitlines() if name in line and not _is_summary(line)]


def _is_summary(line: str) -> bool:
    """The per-file success line: `path: format, N record(s), ...`."""
    return bool(re.search(r": \w+, \d+ record\(s\)", line))


def run_batch(
    mutants: list[Mutant], baseline: Baseline, folder: Path, timeout: float
) -> BatchResult:
    """Import the mutants in one run into a copy of the baseline and check it."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "fuzz.db"
    for stale in folder.glob("fuzz.db*"):  # a WAL left over would be applied to the copy
        stale.unlink()
    shutil.copyfile(baseline.db, db)
    names = [f"{n:03d}_{m.name}" for n, m in enumerate(mutants)]
    paths = [folder / name for name in names]
    for path, mutant in zip(paths, mutants, strict=True):
        path.write_bytes(mutant.data)
    code, output = run_import(db, paths, timeout)
    result = BatchResult({name: [] for name in names})
    first = output.strip().splitlines()[-1:] or [""]
    if code is None:
        result.whole.append(Failure(HANG, f"no exit after {timeout:.0f} s"))
    elif code not in EXIT_CODES:
        result.whole.append(Failure(EXIT_CODE, f"exit {code}: {first[0]}"))
    elif code == 1 and not output.strip():
        result.whole.append(Failure(EXIT_CODE, "exit 1 without a message"))
    if "Traceback (most recent call last)" in output:
        tail = [line for line in output.splitlines() if line and not line.startswith(" ")]
        result.whole.append(Failure(TRACEBACK, tail[-1] if tail else "Traceback"))
    for line in output.splitlines():
        if "please report" in line.lower():
            owners = [name for name in names if name in line]
            for name in owners:
                result.failures[name].append(Failure(INTERNAL, line))
            if not owners:
                result.whole.append(Failure(INTERNAL, line))
    _check_database(db, mutants, names, output, baseline, result)
    return result


def _check_database(
    db: Path,
    mutants: list[Mutant],
    names: list[str],
    output: str,
    baseline: Baseline,
    result: BatchResult,
) -> None:
    try:
        conn = sqlite3.connect(db)
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
    except sqlite3.Error as error:
        result.whole.append(Failure(INTEGRITY, f"cannot open the database: {error}"))
        return
    with closing(conn):
        if integrity != "ok":
            result.whole.append(Failure(INTEGRITY, integrity))
            return
        owned = set().union(*(owned_by(baseline, m) for m in mutants))
        now = article_rows(conn)
        changed = [a for a, rows in baseline.rows.items() if a not in owned and now.get(a) != rows]
        if changed:
            result.whole.append(Failure(ROWS_CHANGED, f"articles {changed[:5]} changed"))
        text = database_text(conn)
        for sign in (MARKER, PASSWD_SIGN):
            if sign in text:
                result.whole.append(Failure(EXTERNAL, f"{sign!r} is in the database"))
        expected = set().union(*(cjk_chars(m.text) for m in mutants))
        new = cjk_chars(text) - baseline.cjk - expected
        for name, mutant in zip(names, mutants, strict=True):
            warned = bool(names_file(output, name))
            if new and not warned:
                if len(mutants) == 1:
                    sample = "".join(sorted(new)[:12])
                    result.failures[name].append(
                        Failure(MOJIBAKE, f"{len(new)} new CJK character(s), no warning: {sample}")
                    )
                else:
                    result.suspects.add(name)
            if mutant.must_warn and not warned:
                result.failures[name].append(Failure(SILENT_PMID, f"{mutant.note}, no warning"))
        bad = conn.execute(
            "select pmid from articles where pmid is not null "
            "and (typeof(pmid) != 'integer' or pmid < 1 or pmid > ?)",
            (PMID_MAX,),
        ).fetchall()
        for (pmid,) in bad:
            token = re.compile(rf"(?<![\d-]){re.escape(str(pmid))}(?!\d)")
            owners = [n for n, m in zip(names, mutants, strict=True) if token.search(m.text)]
            if len(owners) == 1 or len(mutants) == 1:
                result.failures[(owners or names)[0]].append(
                    Failure(BAD_PMID, f"PMID {pmid!r} stored")
                )
            else:
                result.suspects.update(owners or names)


def check_alone(mutant: Mutant, baseline: Baseline, folder: Path, timeout: float) -> list[Failure]:
    """Every failure of one mutant imported on its own (a hang twice: once may be load)."""
    result = run_batch([mutant], baseline, folder, timeout)
    if any(failure.check == HANG for failure in result.whole):
        result = run_batch([mutant], baseline, folder, timeout)
    return result.whole + next(iter(result.failures.values()))


def check_mutants(
    mutants: list[Mutant],
    baseline: Baseline,
    folder: Path,
    timeout: float,
    per_run: int,
    progress: Callable[[int, int], None] = lambda done, failed: None,
) -> list[list[Failure]]:
    """The failures of each mutant: imported per_run at a time, and alone when a run's
    failure cannot be pinned on one of them."""
    found: list[list[Failure]] = []
    for start in range(0, len(mutants), per_run):
        progress(start, sum(bool(failures) for failures in found))
        batch = mutants[start : start + per_run]
        if len(batch) == 1:
            found.append(check_alone(batch[0], baseline, folder / "alone", timeout))
            continue
        budget = timeout + 4 * len(batch)
        result = run_batch(batch, baseline, folder / "batch", budget)
        for name, mutant in zip(result.failures, batch, strict=True):
            if result.whole or name in result.suspects:
                found.append(check_alone(mutant, baseline, folder / "alone", timeout))
            else:
                found.append(result.failures[name])
        shutil.rmtree(folder / "batch", ignore_errors=True)
        shutil.rmtree(folder / "alone", ignore_errors=True)
    return found
