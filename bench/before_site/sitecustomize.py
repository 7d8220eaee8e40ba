"""Loaded by Python at start-up when bench/before_site is on PYTHONPATH (bench_browser.py sets it for the
"before" app only): applies bench/before_design.py before the app imports anything."""
import importlib.util
import os

if os.environ.get("CCHC_BENCH_BEFORE") == "1":
    _path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "before_design.py")
    _spec = importlib.util.spec_from_file_location("before_design", _path)
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    _mod.apply()
