"""What a file is, read from its bytes: the allow-list of attachment types and the magic numbers behind it.

The declared ``Content-Type`` and the file name are claims, never the evidence: the type is found from the
content (PDF, PNG and JPEG signatures; ODT and DOCX are zip files told apart by the ``mimetype`` entry and by
``[Content_Types].xml``; plain text and CSV are UTF-8 text without control characters). A claim that names
an allowed type must agree with the content: a PNG renamed ``.pdf``, or text sent as ``application/pdf``, is
refused. CSV cannot be told from other text by its bytes, so text is CSV when it is claimed to be.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path, PurePosixPath

from shared.errors import FieldError, UnsupportedMediaTypeError, ValidationFailed

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
CSV = "text/csv"

NAMES = {
    PDF: "a PDF document",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    ODT: "an OpenDocument text (ODT)",
    DOCX: "a Word document (DOCX)",
    TEXT: "plain text",
    CSV: "CSV text",
}
ALLOWED = tuple(NAMES)
"""The media types an attachment may have."""

EXTENSIONS = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".odt": ODT,
    ".docx": DOCX,
    ".txt": TEXT,
    ".text": TEXT,
    ".md": TEXT,
    ".csv": CSV,
}
ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "application/csv": CSV, "text/comma-separated-values": CSV}

_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_SMALL_ENTRY = 1 << 20  # the zip entries read to tell ODT from DOCX are small; never inflate more
_CHUNK = 1 << 16
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\ufeff"}


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(200).strip() == ODT.encode():
                        return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    if _DOCX_MAIN in entry.read(_SMALL_ENTRY):
                        return DOCX
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
        return None
    return None


def _is_text(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                text = decoder.decode(chunk)
                if any(ch < " " and ch not in _TEXT_CONTROLS for ch in text) or "\x7f" in text:
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect(path: Path) -> str | None:
    """The allowed media type the file's content is, or None when it is none of them."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if _is_text(path):
        return TEXT
    return None


def claimed_by_name(filename: str | None) -> str | None:
    """The allowed type a file name's extension claims (None: no extension of an allowed type)."""
    if not filename:
        return None
    return EXTENSIONS.get(PurePosixPath(filename.replace("\\", "/")).suffix.lower())


def claimed_by_type(media_type: str | None) -> str | None:
    """The allowed type a declared ``Content-Type`` claims (None: a generic or unknown one, no claim)."""
    if not media_type:
        return None
    media = media_type.split(";", 1)[0].strip().lower()
    media = ALIASES.get(media, media)
    return media if media in NAMES else None


def _agrees(detected: str, claim: str) -> bool:
    return claim == detected or (detected == TEXT and claim in (TEXT, CSV))


def checked_type(
    path: Path,
    *,
    filename: str | None,
    declared_type: str | None,
    name_path: str,
    type_path: str,
) -> str:
    """The attachment's media type from its content; 415 when not allowed, 422 when a claim contradicts it."""
    detected = detect(path)
    if detected is None:
        allowed = ", ".join(NAMES[m] for m in ALLOWED)
        raise UnsupportedMediaTypeError(
            f"the file's content is not of an allowed type ({allowed})",
            errors=[FieldError(path=name_path, message="content of a type not allowed", type="file_type")],
        )
    claims = [
        (where, claim)
        for where, claim in (
            (name_path, claimed_by_name(filename)),
            (type_path, claimed_by_type(declared_type)),
        )
        if claim is not None
    ]
    errors = [
        FieldError(
            path=where,
            message=f"the content is {NAMES[detected]}, not {NAMES[claim]} as declared",
            type="file_type_mismatch",
        )
        for where, claim in claims
        if not _agrees(detected, claim)
    ]
    if errors:
        raise ValidationFailed("the file is not what its name or type says; see errors", errors=errors)
    if detected == TEXT and any(claim == CSV for _, claim in claims):
        return CSV
    return detected
