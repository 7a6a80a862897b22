#!/usr/bin/env python3
"""Set up ChiTra in ./.venv and run it: ``python3 bootstrap.py demo`` or ``... test``.

(``python3 bootstrap.py setup`` only sets up.)

Needs only Python 3.11+. Creates the virtualenv, installs the project (again only when
pyproject.toml changed), then either migrates, seeds a demo province and runs the service on
embedded defaults (SQLite + an embedded redis-server), or runs the whole test suite.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".chitra-installed"


def say(message: str) -> None:
    """Print a progress line."""
    print(f"[bootstrap] {message}", flush=True)


def ensure_venv() -> Path:
    """Create .venv and install the project with its dev extra when needed; return its python."""
    if sys.version_info < (3, 11):
        sys.exit(f"ChiTra needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    if not python.exists():
        say("creating virtualenv .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        say("installing ChiTra and its dependencies (first run takes a minute)")
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted)
    return python


def demo(args: list[str]) -> int:
    """Migrate, seed the demo province and run the service (development settings)."""
    ensure_venv()
    env = dict(os.environ)
    env.setdefault("CHITRA_ENV", "development")
    env.setdefault("CHITRA_PROVINCE_CODE", "46")
    gateway = str(BIN / "gateway")
    subprocess.run([gateway, "db", "upgrade"], check=True, env=env, cwd=ROOT)
    say("seeding the demo province (Huế, 5,000 beneficiaries; a re-run changes nothing)")
    subprocess.run([gateway, "demo", "seed", "--beneficiaries", "5000"], check=True, env=env,
                   cwd=ROOT)
    os.chdir(ROOT)
    os.execve(gateway, [gateway, "run", *args], env)
    return 0  # not reached


def test(args: list[str]) -> int:
    """Run the whole test suite (extra arguments go to pytest)."""
    python = ensure_venv()
    workers = ["-n", "auto"] if not any(a.startswith("-n") for a in args) else []
    code = subprocess.run([str(python), "-m", "pytest", *workers, *args], cwd=ROOT).returncode
    if code == 5:
        # pytest's "no tests collected" (e.g. a marker that selects nothing) is not a failure
        # of the code under test, but say so loudly.
        say("pytest collected no tests for this selection")
        return 0
    return code


def setup(args: list[str]) -> int:
    """Create .venv and install the project, nothing more (CI lints before it tests)."""
    ensure_venv()
    return 0


def main() -> int:
    """Dispatch to ``demo``, ``test`` or ``setup``."""
    commands = {"demo": demo, "test": test, "setup": setup}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
