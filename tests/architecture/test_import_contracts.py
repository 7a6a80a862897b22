"""The map's import rules hold, and a forbidden import is caught (tool.importlinter)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("gateway", "ussd_menus", "wallet_adapters", "otp", "workers")


def _lint(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    # The tree's own packages first on the path, so a scratch copy is what gets analysed.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    chosen = [arg for c in contracts for arg in ("--contract", c)]
    return subprocess.run([str(LINT), "--no-cache", *chosen], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copy the packages and pyproject.toml to a scratch folder."""
    tree = tmp_path_factory.mktemp("map")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tree / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_repository_keeps_every_import_contract() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("gateway/payroll/cycles.py", "import workers.jobs", "no-workers"),
    ("wallet_adapters/base.py", "import gateway.db", "libraries-alone"),
    ("ussd_menus/engine.py", "import otp.codes", "libraries-independent"),
    ("gateway/payroll/payments.py", "import gateway.api.cycles", "domain-not-web"),
    ("gateway/api/cycles.py", "import gateway.payroll.commands", "doors"),
    ("gateway/registry/models.py", "import gateway.rosters.importer", "acyclic"),
], ids=["gateway->workers", "library->gateway", "library->library", "domain->api",
        "api->cli", "cycle"])
def test_a_forbidden_import_in_a_scratch_copy_is_caught(
        scratch: Path, module: str, line: str, contract: str) -> None:
    assert _lint(scratch, contract).returncode == 0  # kept before the plant
    path = scratch / module
    original = path.read_text()
    path.write_text(original + f"\n{line}  # planted by the test\n")
    try:
        done = _lint(scratch, contract)
    finally:
        path.write_text(original)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "BROKEN" in done.stdout
