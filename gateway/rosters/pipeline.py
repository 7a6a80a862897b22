"""Read and validate roster rows, in this process or, for large files, in a helper process.

Reading an XLSX file and validating its rows is pure CPU work independent of the database.
For a large file it runs in a second process that streams validated chunks back through a
pipe, so on a two-core machine parsing and validation overlap with encryption and database
writes instead of adding to them. The pipe's buffer bounds memory: the reader waits when the
importer falls behind.
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from gateway.rosters.headers import HeaderMatch, find_header_row, header_label
from gateway.rosters.source import RosterRefused, RosterSource, RosterUnreadable, open_roster
from gateway.rosters.validation import Problem, RosterRow, RowValidator

CHUNK = 1000
HEADER_SCAN_ROWS = 20
# Below this size a helper process costs more to start than it saves.
PARALLEL_FROM_BYTES = 1_000_000

Result = RosterRow | list[Problem]
# (raw rows consumed including blank ones, [(row number, validation result)])
Chunk = tuple[int, list[tuple[int, Result]]]


@dataclass(frozen=True, slots=True)
class ValidationSettings:
    """What row validation needs to know about the installation."""

    providers: tuple[str, ...]
    province_code: str | None
    today: date


def validated_chunks(
    source: RosterSource, settings: ValidationSettings, *, parallel: bool | None = None
) -> tuple[HeaderMatch, Iterator[Chunk]]:
    """Locate the header and return it with an iterator of validated chunks.

    Raises:
        RosterRefused: no usable header row (missing or doubled required columns).
        RosterUnreadable: the file cannot be read (also raised later, while iterating).
    """
    if parallel is None:
        parallel = source.path is not None and os.path.getsize(source.path) >= PARALLEL_FROM_BYTES
    if parallel and source.path is not None:
        source.close()  # the helper process opens the file itself
        return _in_child(source.path, settings)
    return _in_process(iter(source.rows), settings)


def _in_process(
    rows: Iterator[tuple[int, Sequence[object]]], settings: ValidationSettings
) -> tuple[HeaderMatch, Iterator[Chunk]]:
    match, data_rows = locate_header(rows)
    validator = RowValidator(providers=settings.providers, province_code=settings.province_code,
                             today=settings.today)
    columns = list(match.columns.items())

    def chunks() -> Iterator[Chunk]:
        while chunk := list(itertools.islice(data_rows, CHUNK)):
            results = []
            for number, cells in chunk:
                if _blank(cells):
                    continue
                width = len(cells)
                values = {f: (cells[i] if i < width else None) for f, i in columns}
                results.append((number, validator.validate(values)))
            yield len(chunk), results

    return match, chunks()


def locate_header(
    rows: Iterator[tuple[int, Sequence[object]]],
) -> tuple[HeaderMatch, Iterator[tuple[int, Sequence[object]]]]:
    """Find the header among the first rows; return it and the data rows after it.

    Raises:
        RosterRefused: the file is empty, has no header row, or lacks required columns.
    """
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    if not head:
        raise RosterRefused("Tệp trống.", "The file is empty.")
    found = find_header_row([cells for _, cells in head])
    if found is None:
        raise RosterRefused(
            "Không tìm thấy dòng tiêu đề (Họ và tên, Ngày sinh, Số CCCD, ...) trong 20 dòng đầu.",
            "No header row (Họ và tên / full_name, Ngày sinh / date_of_birth, ...) in the first "
            "20 rows.",
        )
    index, match = found
    if match.missing or match.duplicates:
        missing = [header_label(f) for f in match.missing]
        vi, en = [], []
        if missing:
            vi.append("Thiếu cột bắt buộc: " + ", ".join(missing) + ".")
            en.append("Missing required columns: " + ", ".join(missing) + ".")
        if match.duplicates:
            vi.append("Cột bị lặp: " + ", ".join(match.duplicates) + ".")
            en.append("Columns given twice: " + ", ".join(match.duplicates) + ".")
        raise RosterRefused(
            " ".join(vi) + " Không có dòng nào được nhập.",
            " ".join(en) + " Nothing was imported.",
            missing=missing,
        )
    return match, itertools.chain(head[index + 1:], rows)


def _blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _produce(path: str, settings: ValidationSettings, out: BinaryIO) -> None:
    """Read and validate ``path``, writing pickled messages to ``out`` (the helper's side)."""
    source = None

    def send(kind: str, payload: object) -> None:
        pickle.dump((kind, payload), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        source = open_roster(path)
        match, chunks = _in_process(iter(source.rows), settings)
        send("header", match)
        for chunk in chunks:
            send("chunk", chunk)
        send("done", None)
    except RosterRefused as exc:
        send("refused", (exc.vi, exc.en, exc.missing))
    except RosterUnreadable as exc:
        send("unreadable", (exc.vi, exc.en))
    except BrokenPipeError:
        pass  # the importer stopped reading (it failed or was cancelled)
    except BaseException as exc:  # report the kind only: a message could quote a cell
        send("crash", type(exc).__name__)
    finally:
        if source is not None:
            source.close()


def _in_child(path: str, settings: ValidationSettings) -> tuple[HeaderMatch, Iterator[Chunk]]:
    # A plain subprocess rather than multiprocessing: "spawn" re-imports the caller's main
    # module (breaking scripts without a main guard) and "fork" is unsafe in a threaded server.
    request = json.dumps({"path": path, "providers": list(settings.providers),
                          "province_code": settings.province_code,
                          "today": settings.today.isoformat()})
    proc = subprocess.Popen([sys.executable, "-m", "gateway.rosters.pipeline", request],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    stream = proc.stdout

    def receive() -> tuple[str, object]:
        try:
            return pickle.load(stream)  # noqa: S301 - our own child process writes it
        except EOFError:
            code = proc.wait()
            raise RuntimeError(f"the roster reader process stopped unexpectedly ({code})") from None

    def stop() -> None:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        stream.close()

    try:
        kind, payload = receive()
        if kind == "refused":
            raise RosterRefused(*payload)  # type: ignore[misc]
        _raise_for(kind, payload)
    except BaseException:
        stop()
        raise
    match = payload

    def chunks() -> Iterator[Chunk]:
        try:
            while True:
                kind, item = receive()
                if kind == "done":
                    return
                _raise_for(kind, item)
                yield item  # type: ignore[misc]
        finally:
            stop()

    return match, chunks()  # type: ignore[return-value]


def _raise_for(kind: str, payload: object) -> None:
    if kind == "unreadable":
        raise RosterUnreadable(*payload)  # type: ignore[misc]
    if kind == "crash":
        raise RuntimeError(f"the roster reader process failed ({payload})")


if __name__ == "__main__":
    _request = json.loads(sys.argv[1])
    _produce(_request["path"], ValidationSettings(
        tuple(_request["providers"]), _request["province_code"],
        date.fromisoformat(_request["today"])), sys.stdout.buffer)
