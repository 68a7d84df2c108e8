#!/usr/bin/env bash
# Nightly harvest for cron or systemd: harvest every topic, embed the new and changed articles
# (`litbalint embed`, skipped with LITBALINT_EMBEDDINGS=off), then print the corpus counts.
# Needs NCBI_EMAIL (and optionally NCBI_API_KEY) in the environment.
# With -q (for cron mail): only errors and the two summary lines (harvest, embed); without it,
# the "== date" lines, the progress of both and the corpus counts too.
# Exit codes (from `litbalint harvest`): 0 records stored (links, titles or records left for
# the next run are named in the summary); 1 records could not be stored (NCBI unreachable or
# kept failing, a request NCBI refuses, a database error; what was stored is kept, the next
# run picks up the rest); 2 usage/configuration error (e.g. NCBI_EMAIL missing); 3 another
# harvest was still running on the database. When the harvest exits 0, the embedding's code
# is the script's: 0 done (or switched off), 1 the model or the database failed (the articles
# left are embedded by the next run), 130 interrupted.
set -uo pipefail
cd "$(dirname "$0")/.."
litbalint="${LITBALINT:-.venv/bin/litbalint}"
db_args=()
if [ -n "${LITBALINT_DB:-}" ]; then db_args=(--db "$LITBALINT_DB"); fi
quiet=0
for arg in "$@"; do
    case "$arg" in -q | --quiet) quiet=1 ;; esac
done

[ "$quiet" -eq 1 ] || echo "== $(date -u +%FT%TZ) litbalint harvest"
"$litbalint" harvest "${db_args[@]}" "$@"
status=$?
[ "$quiet" -eq 1 ] || echo "== $(date -u +%FT%TZ) harvest exit code $status"
if [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; then
    embed_args=()
    if [ "$quiet" -eq 1 ]; then embed_args=(-q); fi
    "$litbalint" embed "${db_args[@]}" "${embed_args[@]}"
    embedded=$?
    [ "$quiet" -eq 1 ] || echo "== $(date -u +%FT%TZ) embed exit code $embedded"
    if [ "$status" -eq 0 ]; then status=$embedded; fi
    if [ "$quiet" -eq 0 ]; then
        "$litbalint" stats "${db_args[@]}" || true
    fi
fi
exit "$status"
