"""Reading an upload off the wire onto disk, chunk by chunk: never the whole body in memory.

Two ways to send a file: ``multipart/form-data`` with a ``file`` part (and ``title``, ``licence``,
``personal`` fields), or the raw bytes as the body with any ``Content-Type`` (the fields then come as query
parameters). Either way the bytes go to a temporary file while their size and SHA-256 are counted; the first
byte over ``attachment_max_bytes`` stops the reading with a 413.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from services.workshops.attachments.service import ReceivedFile
from shared.errors import FieldError, PayloadTooLargeError, ValidationFailed

FILE_FIELD = "file"
TEXT_FIELDS = ("title", "licence", "personal")
MAX_FIELD_BYTES = 1000
MULTIPART = "multipart/form-data"


@dataclass
class Upload:
    """What was received: the file on disk, the form fields sent with it, and whether it came as multipart."""

    file: ReceivedFile
    fields: dict[str, str] = field(default_factory=dict)
    multipart: bool = False

    def discard(self) -> None:
        """Delete the temporary file."""
        self.file.path.unlink(missing_ok=True)


def clean_filename(name: str | None) -> str | None:
    """The last path segment of a sent file name, without control characters, at most 255 characters."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()[:255]
    return cleaned or None


def _invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(path=path, message=message)])


class _Sink:
    """A temporary file that counts and hashes what is written, refusing a byte over the limit."""

    def __init__(self, max_bytes: int) -> None:
        descriptor, name = tempfile.mkstemp(prefix="communitylab-upload-")
        self.path = Path(name)
        self.handle: IO[bytes] = os.fdopen(descriptor, "wb")
        self.digest = hashlib.sha256()
        self.size = 0
        self.max_bytes = max_bytes

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise PayloadTooLargeError(
                f"the file exceeds the {self.max_bytes} bytes an attachment may have",
                max_bytes=self.max_bytes,
            )
        self.digest.update(data)
        self.handle.write(data)

    def close(self) -> None:
        self.handle.close()

    def abandon(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


class _FormReader:
    """python-multipart callbacks: the ``file`` part into the sink, the other fields into a small dict."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.declared_type: str | None = None
        self.files = 0
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._name: str | None = None
        self._is_file = False
        self._data = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": lambda data, start, end: self._add_name(data[start:end]),
            "on_header_value": lambda data, start, end: self._add_value(data[start:end]),
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def _add_name(self, data: bytes) -> None:
        self._header_name += data

    def _add_value(self, data: bytes) -> None:
        self._header_value += data

    def on_part_begin(self) -> None:
        self._headers, self._name, self._is_file, self._data = {}, None, False, bytearray()

    def on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        raw_name = options.get(b"name")
        if raw_name is None:
            raise _invalid("body", "every multipart part needs a Content-Disposition with a name")
        self._name = raw_name.decode("utf-8", errors="replace")
        if self._name == FILE_FIELD:
            self.files += 1
            if self.files > 1:
                raise _invalid("body.file", "send one file per request")
            self._is_file = True
            if b"filename" in options:
                self.filename = options[b"filename"].decode("utf-8", errors="replace")
            if b"content-type" in self._headers:
                self.declared_type = self._headers[b"content-type"].decode("latin-1")[:200]
        elif self._name not in TEXT_FIELDS:
            raise _invalid(
                f"body.{self._name[:64]}", f"unknown field (send {FILE_FIELD}, {', '.join(TEXT_FIELDS)})"
            )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self.sink.write(data[start:end])
            return
        self._data.extend(data[start:end])
        if len(self._data) > MAX_FIELD_BYTES:
            raise _invalid(f"body.{self._name}", f"at most {MAX_FIELD_BYTES} bytes")

    def on_part_end(self) -> None:
        if not self._is_file and self._name is not None:
            self.fields[self._name] = self._data.decode("utf-8", errors="replace")


async def receive_upload(request: Request, *, max_bytes: int, filename: str | None) -> Upload:
    """Read the request's file onto disk (multipart or raw body); the caller ``discard``s it when done."""
    content_type = request.headers.get("content-type", "")
    media, options = parse_options_header(content_type)
    sink = _Sink(max_bytes)
    try:
        if media.decode("latin-1").lower() == MULTIPART:
            boundary = options.get(b"boundary")
            if not boundary:
                raise _invalid("header.Content-Type", "multipart/form-data needs a boundary")
            reader = _FormReader(sink)
            parser = MultipartParser(boundary, reader.callbacks())
            try:
                async for chunk in request.stream():
                    parser.write(chunk)
                parser.finalize()
            except MultipartParseError as exc:
                raise _invalid("body", f"malformed multipart body: {exc}") from exc
            if reader.files == 0:
                raise _invalid("body.file", f"a multipart upload needs a `{FILE_FIELD}` part")
            received = (reader.filename, reader.declared_type, reader.fields, True)
        else:
            async for chunk in request.stream():
                sink.write(chunk)
            received = (filename, content_type or None, {}, False)
        sink.close()
    except BaseException:
        sink.abandon()
        raise
    name, declared, fields, multipart = received
    name = clean_filename(name)
    declared = "".join(ch for ch in declared if ch.isprintable()) if declared else None
    upload = Upload(
        ReceivedFile(sink.path, sink.size, sink.digest.hexdigest(), name, declared), fields, multipart
    )
    if upload.file.size_bytes == 0:
        upload.discard()
        raise _invalid("body.file" if multipart else "body", "the file is empty")
    return upload
