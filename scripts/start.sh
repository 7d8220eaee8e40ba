#!/usr/bin/env bash
# Set up (once) and start the dashboard on its built-in data: the demo database is built on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
export CCHC_DB=${CCHC_DB:-data/cchc.duckdb}
export CCHC_OPEN_READ=${CCHC_OPEN_READ:-1}   # the demo opens read access; a real deployment sets 0
if [ ! -f "$CCHC_DB" ]; then
  .venv/bin/python -m loaders --db "$CCHC_DB" demo
  .venv/bin/python -m loaders --db "$CCHC_DB" user add admin --role quan_tri --password admin --name "Quản trị (demo)" 2>/dev/null || true
fi
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
