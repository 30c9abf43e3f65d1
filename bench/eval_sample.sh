#!/usr/bin/env bash
# Import a corpus (default: ../shared/corpus/sample) into a fresh SQLite store in a temp dir,
# run the reminder sweep as of the truth's as-of date, and print `filing eval` against its truth.
# OCR results are cached in $FILING_EVAL_OCR_CACHE (default /tmp/filing-eval-ocr-cache) so a
# second run takes about a minute. FILING_CMD overrides the filing command (e.g. a worktree's
# `python -m filing.cli` with PYTHONPATH set). FILING_EVAL_PG=NAME runs it on PostgreSQL instead: the
# database NAME on 127.0.0.1:5432 is dropped and created afresh (trust auth, user postgres).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/corpus/sample}
work=${FILING_EVAL_DIR:-$(mktemp -d)}
cache=${FILING_EVAL_OCR_CACHE:-/tmp/filing-eval-ocr-cache}
as_of=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['expectations']['as_of'])" "$corpus/truth.json")
db_url=sqlite:///var/filing.db
if [[ -n "${FILING_EVAL_PG:-}" ]]; then
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS \"$FILING_EVAL_PG\"" -c "CREATE DATABASE \"$FILING_EVAL_PG\"" postgres
  db_url="postgresql+psycopg://postgres@127.0.0.1:5432/$FILING_EVAL_PG"
fi
cat > "$work/config.yaml" <<YAML
database:
  url: $db_url
storage:
  path: var/blobs
agencies:
  registry: $corpus/agencies.yaml
ocr:
  cache_path: $cache
senders:
  unauthenticated: file   # the corpus mail carries no authentication; what is measured is filing
YAML
filing="${FILING_CMD:-$here/.venv/bin/filing} --config $work/config.yaml"
rm -rf "$work/var"
start=$(date +%s)
$filing init >/dev/null
$filing import "$corpus/messages" > "$work/import.log" 2>&1 || true
$filing remind --as-of "$as_of" > "$work/remind.log" 2>&1 || true
echo "imported in $(( $(date +%s) - start )) s; store in $work" >&2
$filing eval --truth "$corpus/truth.json" --as-of "$as_of"
