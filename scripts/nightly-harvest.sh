#!/usr/bin/env bash
# Nightly harvest for cron or systemd: harvest every topic, then print the corpus counts.
# Needs NCBI_EMAIL (and optionally NCBI_API_KEY) in the environment.
# Exit codes (from `litbalint harvest`): 0 done; 1 failed (what was fetched is kept, the next
# run picks up the rest); 2 usage/configuration error (e.g. NCBI_EMAIL missing); 3 another
# harvest was still running on the database.
set -uo pipefail
cd "$(dirname "$0")/.."
litbalint="${LITBALINT:-.venv/bin/litbalint}"
db_args=()
if [ -n "${LITBALINT_DB:-}" ]; then db_args=(--db "$LITBALINT_DB"); fi

echo "== $(date -u +%FT%TZ) litbalint harvest"
"$litbalint" harvest "${db_args[@]}" "$@"
status=$?
echo "== $(date -u +%FT%TZ) harvest exit code $status"
if [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; then
    "$litbalint" stats "${db_args[@]}" || true
fi
exit "$status"
