"""The house lint rules (ruff.toml) hold with zero findings, like the tests."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--output-format", "concise", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing():
    result = _ruff(".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reads_the_house_rules(tmp_path):
    # The test of the test: a late import in product code is caught with the same config.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import os\n    return os.sep\n")
    result = _ruff("--config", str(ROOT / "ruff.toml"), str(bad))
    assert result.returncode == 1 and "PLC0415" in result.stdout, result.stdout
