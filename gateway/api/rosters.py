"""``/api/v1/rosters``: upload a roster for import (same checks as ``gateway roster import``)."""

from __future__ import annotations

import os
import shutil
import tempfile

import sqlalchemy as sa
from apiflask import HTTPError
from werkzeug.datastructures import FileStorage

from gateway.api.auth import current_caller, requires
from gateway.api.blueprint import bp
from gateway.api.schemas import ImportReport, ImportRunList, ImportRunQuery, RosterUpload
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.registry.models import ImportRun
from gateway.rosters.importer import ImportSettings, RosterRefused, file_digest, import_roster
from gateway.rosters.source import RosterUnreadable, open_roster
from gateway.settings import settings


@bp.post("/rosters")
@requires("rosters.import")
@bp.input(RosterUpload, location="form_and_files")
@bp.output(ImportReport)
@bp.doc(responses={413: "The file is larger than the upload limit.",
                   422: "The file is refused as a whole (missing columns, unreadable)."})
def upload_roster(form_and_files_data: dict[str, object]) -> dict[str, object]:
    """Import a roster file (.csv or .xlsx).

    Valid rows are saved and the others reported, exactly as `gateway roster import` does;
    with `dry_run=true` nothing is written.
    """
    upload = form_and_files_data["file"]
    assert isinstance(upload, FileStorage)  # the File field lets nothing else through
    name = _display_name(upload.filename)
    with tempfile.TemporaryDirectory(prefix="chitra-upload-") as tmp:
        # The original name keeps its extension (open_roster reads by it) and appears in
        # the report and in messages the officer sees.
        path = os.path.join(tmp, name)
        with open(path, "wb") as out:
            shutil.copyfileobj(upload.stream, out, 1 << 20)
        try:
            source = open_roster(path)
            with get_db().sessionmaker() as session:
                report = import_roster(
                    session, get_pii(), source,
                    ImportSettings.of(settings(), actor=f"api:{current_caller().name}"),
                    dry_run=bool(form_and_files_data["dry_run"]), file_sha256=file_digest(path))
        except RosterRefused as exc:
            raise _refused(exc, missing_columns=exc.missing) from None
        except RosterUnreadable as exc:
            raise _refused(exc) from None
    return report.as_dict()


@bp.get("/rosters/imports")
@requires("rosters.read")
@bp.input(ImportRunQuery, location="query")
@bp.output(ImportRunList)
def list_imports(query_data: dict[str, int]) -> dict[str, object]:
    """List recent roster imports, newest first (dry runs are not recorded)."""
    with get_db().sessionmaker() as session:
        runs = session.scalars(
            sa.select(ImportRun).order_by(ImportRun.id.desc()).limit(query_data["limit"]))
        return {"items": list(runs)}


def _display_name(raw: str | None) -> str:
    """Return the upload's own file name, reduced to something safe to create in a folder."""
    name = os.path.basename((raw or "").replace("\\", "/")).replace("\x00", "").strip()
    if name in ("", ".", ".."):
        name = "roster"
    stem, ext = os.path.splitext(name)
    while len(name.encode()) > 200:  # file systems limit names to 255 bytes
        stem = stem[:-1]
        name = stem + ext
    return name


def _refused(exc: RosterUnreadable, **details: object) -> HTTPError:
    return HTTPError(422, exc.en, detail={"vi": exc.vi, "en": exc.en, **details},
                     extra_data={"code": "roster_refused"})
