#!/usr/bin/env bash
# Set up (once) and start the dashboard.
# - No database configured (CCHC_DB unset): the DEMO — data/cchc.duckdb with sample data, read access open, and the
#   demo administrator admin/admin, which exists only in that demo database.
# - CCHC_DB set: that database, as it is (created empty with `init` if missing; no sample data, no demo account);
#   read access closed unless CCHC_OPEN_READ says otherwise.
# The server listens on 127.0.0.1 (this machine only) unless CCHC_ADDRESS names another address.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
if [ -z "${CCHC_DB:-}" ]; then
  export CCHC_DB=data/cchc.duckdb
  export CCHC_OPEN_READ=${CCHC_OPEN_READ:-1}
  echo "Chưa đặt CCHC_DB: chạy BẢN DEMO trên $CCHC_DB (dữ liệu mẫu, tài khoản quản trị demo admin/admin)."
  if [ ! -f "$CCHC_DB" ]; then
    .venv/bin/python -m loaders --db "$CCHC_DB" demo
  fi
else
  export CCHC_OPEN_READ=${CCHC_OPEN_READ:-0}
  echo "Cơ sở dữ liệu: $CCHC_DB (không có dữ liệu mẫu, không có tài khoản demo)."
  if [ ! -f "$CCHC_DB" ]; then
    .venv/bin/python -m loaders --db "$CCHC_DB" init
    echo "Hãy tạo quản trị viên: .venv/bin/python -m loaders --db \"$CCHC_DB\" user add TÊN --role quan_tri"
  fi
fi
ADDRESS=${CCHC_ADDRESS:-127.0.0.1}
echo "Dashboard: http://$ADDRESS:${PORT:-8501} (chỉ máy này truy cập được trừ khi đặt CCHC_ADDRESS)."
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" --server.address "$ADDRESS" "$@"
