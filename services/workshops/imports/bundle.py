"""Reading a bundle: a folder or a ZIP with ``manifest.json`` and the CSV files it lists (docs/imports.md).

Reading only splits the bundle into rows with their file and line; ``validate`` checks them. Every problem is
collected as a ``FieldError`` whose path is ``file:line:column`` (``manifest.json:files[1].kind`` for the
manifest), so one answer lists all of them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from shared.errors import FieldError

FORMAT = "communitylab-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_FILE_BYTES = 20 << 20
"""A CSV file of a bundle is at most 20 MiB once unpacked."""

# Every kind of file, with the columns it must and may have (docs/imports.md describes each column).
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "editions": (
        ("id", "programme", "name", "starts_on", "ends_on", "districts"),
        ("programme_description",),
    ),
    "processes": (
        ("id", "edition", "district", "title", "started_on"),
        ("purpose", "methods_and_tools", "location", "status", "closed_on"),
    ),
    "workshops": (
        ("id", "process", "method", "title", "starts_at", "ends_at"),
        ("venue", "description", "status"),
    ),
    "attendance": (("workshop", "actor_category", "count"), ()),
    "inventions": (
        ("id", "process", "title", "kind", "theme"),
        ("workshop", "description", "handed_over_to", "handed_over_on", "handover_note"),
    ),
    "priorities": (
        ("id", "district", "title", "source", "proposed_on"),
        (
            "process",
            "workshop",
            "description",
            "year",
            "submitted_on",
            "decision",
            "sitting_date",
            "motivation",
            "assigned_on",
            "project_tables",
            "started_on",
            "outcome",
            "restitution_workshop",
            "note",
        ),
    ),
    "evaluations": (("id", "workshop"), ("template_id",)),
}
"""kind -> (required columns, optional columns); evaluations also take ``answer.<code>`` columns."""

KINDS = tuple(COLUMNS)
"""The kinds in the order they are written (each refers only to kinds before it)."""


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file: its file, line (the header is line 1) and cells by column."""

    file: str
    line: int
    cells: dict[str, str]

    def path(self, column: str) -> str:
        """The error path of one of its cells: ``workshops.csv:12:starts_at``."""
        return f"{self.file}:{self.line}:{column}"

    def get(self, column: str) -> str:
        """The cell, stripped ('' when the column is absent)."""
        return (self.cells.get(column) or "").strip()


@dataclass
class Bundle:
    """A bundle read into rows (not yet validated)."""

    bundle_id: str = ""
    source: str = ""
    title: str = ""
    digest: str = ""
    rows: dict[str, list[Row]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    errors: list[FieldError] = field(default_factory=list)

    def error(self, path: str, message: str) -> None:
        """Collect one problem."""
        self.errors.append(FieldError(path=path, message=message))


def read_zip(data: bytes) -> Bundle:
    """A bundle from the bytes of a ZIP (the manifest at its root or in one top folder)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        bundle = Bundle()
        bundle.error("file", "not a ZIP archive")
        return bundle
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        manifests = sorted((n for n in names if PurePosixPath(n).name == MANIFEST), key=len)
        prefix = str(PurePosixPath(manifests[0]).parent) if manifests else ""
        prefix = "" if prefix == "." else prefix + "/"
        files: dict[str, bytes] = {}
        for name in names:
            if name.startswith(prefix):
                info = archive.getinfo(name)
                if info.file_size <= MAX_FILE_BYTES:
                    files[name[len(prefix) :]] = archive.read(name)
                else:
                    files[name[len(prefix) :]] = b""
    return read_files(files)


def read_folder(folder: Path) -> Bundle:
    """A bundle from a folder holding ``manifest.json`` and its CSV files."""
    files = {
        str(path.relative_to(folder).as_posix()): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES
    }
    return read_files(files)


def zip_folder(folder: Path) -> bytes:
    """The folder's files as a ZIP (what ``communitylab import FOLDER`` uploads)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _digest(files: dict[str, bytes], listed: list[str]) -> str:
    """A hash of the manifest and the listed files (so re-zipping the same bundle gives the same digest)."""
    hasher = hashlib.sha256()
    for name in [MANIFEST, *sorted(listed)]:
        hasher.update(name.encode() + b"\0" + hashlib.sha256(files.get(name, b"")).digest())
    return hasher.hexdigest()


def read_files(files: dict[str, bytes]) -> Bundle:
    """A bundle from its files by relative path."""
    bundle = Bundle()
    if MANIFEST not in files:
        bundle.error(MANIFEST, "the bundle has no manifest.json at its root")
        return bundle
    try:
        manifest = json.loads(files[MANIFEST].decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        bundle.error(MANIFEST, f"not valid JSON: {exc}")
        return bundle
    listed = _read_manifest(bundle, manifest)
    bundle.digest = _digest(files, [name for name, _kind in listed])
    for index, (name, kind) in enumerate(listed):
        if name not in files:
            bundle.error(f"{MANIFEST}:files[{index}].path", f"{name} is listed but not in the bundle")
            continue
        _read_csv(bundle, name, kind, files[name])
    return bundle


def _read_manifest(bundle: Bundle, manifest: Any) -> list[tuple[str, str]]:
    if not isinstance(manifest, dict):
        bundle.error(MANIFEST, "the manifest is a JSON object")
        return []
    if manifest.get("format") != FORMAT:
        bundle.error(f"{MANIFEST}:format", f"must be '{FORMAT}'")
    if manifest.get("format_version") != FORMAT_VERSION:
        bundle.error(f"{MANIFEST}:format_version", f"this server reads format_version {FORMAT_VERSION}")
    for key in ("bundle_id", "source"):
        value = manifest.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            bundle.error(f"{MANIFEST}:{key}", "a non-empty string of at most 200 characters")
    bundle.bundle_id = str(manifest.get("bundle_id") or "").strip()
    bundle.source = str(manifest.get("source") or "").strip()
    bundle.title = str(manifest.get("title") or bundle.bundle_id).strip()[:200]
    files = manifest.get("files")
    if not isinstance(files, list) or not files:
        bundle.error(f"{MANIFEST}:files", "a list of {path, kind} objects")
        return []
    listed: list[tuple[str, str]] = []
    seen_kinds: set[str] = set()
    for index, entry in enumerate(files):
        where = f"{MANIFEST}:files[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            bundle.error(where, "an object with a path and a kind")
            continue
        kind = entry.get("kind")
        if kind not in COLUMNS:
            bundle.error(f"{where}.kind", f"one of {', '.join(KINDS)}")
            continue
        if kind in seen_kinds:
            bundle.error(f"{where}.kind", f"a second file of kind {kind}: one file per kind")
            continue
        path = str(entry["path"])
        if path.startswith("/") or ".." in PurePosixPath(path).parts or not path.endswith(".csv"):
            bundle.error(f"{where}.path", "a relative path to a .csv file inside the bundle")
            continue
        seen_kinds.add(str(kind))
        listed.append((path, str(kind)))
    return listed


def _read_csv(bundle: Bundle, name: str, kind: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bundle.error(f"{name}:1", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        bundle.error(f"{name}:1", "the file is empty: a header line is expected")
        return
    except csv.Error as exc:
        bundle.error(f"{name}:1", f"not a CSV file: {exc}")
        return
    required, optional = COLUMNS[kind]
    for column in required:
        if column not in header:
            bundle.error(f"{name}:1:{column}", f"required column {column} is missing")
    for column in header:
        allowed = column in required or column in optional
        if kind == "evaluations" and column.startswith("answer.") and len(column) > len("answer."):
            allowed = True
        if not allowed:
            bundle.error(f"{name}:1:{column}", f"unknown column for {kind}")
    if len(set(header)) != len(header):
        bundle.error(f"{name}:1", "a column is named twice")
    line = reader.line_num
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                bundle.error(f"{name}:{start}", f"{len(values)} cells where the header has {len(header)}")
                continue
            bundle.rows[kind].append(Row(name, start, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        bundle.error(f"{name}:{reader.line_num}", f"not a CSV file: {exc}")
