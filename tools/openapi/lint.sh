#!/usr/bin/env bash
# `make lint`: Redocly's recommended ruleset and Spectral's spectral:oas on the OpenAPI documents of the three
# services (dumped by `python -m services.dump_openapi`). Fails on any error; warnings are counted, not fatal.
# The linters come from the npm registry, pinned by package-lock.json (installed by .ci/setup with npm ci).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON_BIN:-$root/.venv/bin/python}"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "openapi lint: SKIPPED, node/npm not found (install Node.js 20.19+ to run Redocly and Spectral)"
  exit 0
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false
if [ ! -x "$here/node_modules/.bin/redocly" ] || [ ! -x "$here/node_modules/.bin/spectral" ]; then
  npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$python" -m services.dump_openapi "$out" >/dev/null
status=0
for document in "$out"/*.openapi.json; do
  name="$(basename "$document" .openapi.json)"
  if ! report="$("$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --format summary "$document" 2>&1)"; then
    status=1
    "$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --format stylish "$document" 2>&1 | grep -v "^\s*$" || true
  fi
  echo "redocly  $name: $(echo "$report" | grep -E '^(error|warning) ' | tr -s ' ' | paste -sd ',' - || true)"
  "$here/node_modules/.bin/spectral" lint --ruleset "$here/.spectral.yaml" --format json --quiet \
    --output "$out/$name.spectral.json" --fail-severity error "$document" || true
  counts="$("$python" - "$out/$name.spectral.json" <<'PY'
import json, sys
from collections import Counter
results = json.load(open(sys.argv[1]))
names = {0: "error", 1: "warning", 2: "info", 3: "hint"}
counts = Counter(names[r["severity"]] for r in results)
for r in results:
    if r["severity"] == 0:
        print(f"  error {r['code']} at {'/'.join(map(str, r['path']))}: {r['message']}", file=sys.stderr)
print(f"{counts['error']} errors, {counts['warning']} warnings")
PY
)"
  echo "spectral $name: $counts"
  case "$counts" in 0\ errors*) ;; *) status=1 ;; esac
done
if [ "$status" -ne 0 ]; then echo "openapi lint: FAILED (errors above)"; else echo "openapi lint: 0 errors"; fi
exit "$status"
