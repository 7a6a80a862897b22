"""Write provider statement files for reconciliation tests."""

from __future__ import annotations

from pathlib import Path


def write_csv(tmp_path: Path, lines: list[str], name: str = "statement.csv",
              encoding: str = "utf-8") -> Path:
    """Write statement lines to a file and return its path."""
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path
