"""`python -m loaders` init / demo / batches / rollback, as an operator runs them."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args, db=None):
    cmd = [sys.executable, "-m", "loaders"] + (["--db", str(db)] if db else []) + list(args)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_init_is_idempotent(tmp_path):
    db = tmp_path / "x.duckdb"
    first = run("init", db=db)
    assert first.returncode == 0, first.stderr
    assert "đã nạp" in first.stdout
    second = run("init", db=db)
    assert second.returncode == 0 and "đã có sẵn" in second.stdout


def test_init_province_sets_the_home_province_of_a_deployment(tmp_path):
    import duckdb

    from dashboard import queries as Q

    db = tmp_path / "son_la.duckdb"
    r = run("init", "--province", "son la", db=db)  # typed without diacritics
    assert r.returncode == 0, r.stderr
    assert "Tỉnh của dashboard: Sơn La" in r.stdout
    bad = run("init", "--province", "Sai Gon", db=db)
    assert bad.returncode == 2 and "không nhận ra tỉnh “Sai Gon”" in bad.stderr and "gần nhất" in bad.stderr
    assert "Traceback" not in bad.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert Q.home_province(con) == "son_la"  # the refused name changed nothing
        peers = Q.region_peers(con, "son_la")
        assert peers and set(peers) <= {"ha_giang", "cao_bang", "bac_kan", "tuyen_quang", "lao_cai", "dien_bien",
                                        "lai_chau", "yen_bai", "hoa_binh", "thai_nguyen", "lang_son", "bac_giang",
                                        "phu_tho"}


def test_cchc_db_environment_variable_is_honoured(tmp_path):
    db = tmp_path / "env.duckdb"
    r = subprocess.run([sys.executable, "-m", "loaders", "init"], cwd=ROOT, capture_output=True, text=True,
                       env={**__import__("os").environ, "CCHC_DB": str(db)}, timeout=120)
    assert r.returncode == 0 and db.exists()


def test_batches_and_rollback(demo_db):
    listing = run("batches", "--limit", "3", db=demo_db)
    assert listing.returncode == 0 and "đang dùng" in listing.stdout
    top = int(listing.stdout.splitlines()[1].split()[0])
    assert run("rollback", str(top), db=demo_db).returncode == 0
    again = run("rollback", str(top), db=demo_db)
    assert again.returncode == 1 and "đã được hoàn tác" in again.stderr


def test_bad_arguments_exit_2_without_traceback(tmp_path):
    r = run("no-such-command", db=tmp_path / "y.duckdb")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_locked_database_is_refused_with_a_clear_message(tmp_path):
    db = tmp_path / "locked.duckdb"
    assert run("init", db=db).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = run("init", db=db)
        assert r.returncode == 2
        assert "dashboard" in r.stderr and "Traceback" not in r.stderr
    finally:
        holder.kill()


def test_command_line_uploads_and_rollbacks_are_audited(demo_db):
    assert run("rollback", "5", "--by", "van_phong", db=demo_db).returncode == 0
    from loaders.store.schema import connect

    with connect(demo_db) as con:
        got = con.execute("SELECT username, action, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert got == ("van_phong", "rollback", "lô 5 (dòng lệnh)")
