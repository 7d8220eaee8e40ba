"""Shared helpers for the national-scale benchmarks: paths, timing statistics, machine facts, memory."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded: noted with every figure (2 shared cores)."""
    return [round(x, 2) for x in os.getloadavg()]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank on the sorted values; p95 of 20 runs is the 19th)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary(seconds: list[float]) -> dict:
    """p50 / p95 / min / max in milliseconds, and n."""
    ms = [x * 1000 for x in seconds]
    return {"p50_ms": round(statistics.median(ms), 2) if ms else None, "p95_ms": round(pct(ms, 95), 2) if ms else None,
            "min_ms": round(min(ms), 2) if ms else None, "max_ms": round(max(ms), 2) if ms else None, "n": len(ms)}


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        return False


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS)."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    """Peak resident memory since the last reset_peak() (VmHWM)."""
    return _status_kb("VmHWM") / 1024


def reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so each run's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _status_kb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = _meminfo_gb()
    import duckdb
    import pandas
    import streamlit

    versions = {"python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pandas.__version__,
                "streamlit": streamlit.__version__}
    for mod in ("openpyxl", "python_calamine", "plotly", "playwright"):
        try:
            from importlib.metadata import version
            versions[mod] = version(mod.replace("_", "-"))
        except Exception:  # noqa: BLE001
            pass
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip().splitlines()[-1]
    except Exception:  # noqa: BLE001
        chromium = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "os": platform.platform(),
            "versions": versions, "chromium": chromium}


def _meminfo_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(float(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def run_worker(script: str, args: list[str], timeout: float = 1800, allow_timeout: bool = False) -> dict:
    """Run `python bench/<script> --worker ...` in a fresh process (own memory, own caches); its last stdout
    line is JSON. With allow_timeout, a run over `timeout` seconds is stopped and reported as
    {"timed_out": True, "limit_s": timeout} instead of failing the benchmark."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        if allow_timeout:
            return {"timed_out": True, "limit_s": timeout, "seconds": round(time.perf_counter() - t0, 1),
                    "load": load()}
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    return json.loads(lines[-1])
