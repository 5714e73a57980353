"""Where attachment files are kept, behind one small interface: the local filesystem or an S3-compatible bucket.

``LocalStorage`` (the default) keeps files under ``<data_dir>/attachments``; downloads go through the
workshops API with a signed, expiring link (``links.py``). ``S3Storage`` keeps them in a bucket through
``boto3``; downloads are presigned URLs of the bucket, expiring too. Keys are the attachment ids, so a key
never comes from a caller.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote

from shared.config import Settings
from shared.errors import UpstreamUnavailableError

CHUNK = 1 << 16


class Storage(Protocol):
    """What the attachments domain needs from a file store."""

    name: str

    def put(self, key: str, source: Path, *, media_type: str) -> None:
        """Store the file at ``source`` under ``key`` (replacing nothing: keys are new ids)."""

    def open(self, key: str) -> Iterator[bytes]:
        """The stored bytes, in chunks."""

    def delete(self, key: str) -> None:
        """Delete the file; a missing one is not an error."""

    def presigned_url(self, key: str, *, expires_in: int, filename: str, media_type: str) -> str | None:
        """A URL of the store itself that serves the file for ``expires_in`` seconds; None: serve it ourselves."""


def content_disposition(filename: str) -> str:
    """``attachment`` with the file name, ASCII-safe and RFC 6266/5987 encoded."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


class LocalStorage:
    """Files under one folder, two levels of fan-out by key (``ab/abcdef...``)."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def put(self, key: str, source: Path, *, media_type: str) -> None:
        """Copy into place through a temporary name, so a reader never sees half a file."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{key}.partial")
        with source.open("rb") as src, partial.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        partial.replace(target)

    def open(self, key: str) -> Iterator[bytes]:
        """Read the file in chunks (opened here, so a missing file fails before a response starts)."""
        return _chunks(self._path(key).open("rb"))

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        self._path(key).unlink(missing_ok=True)

    def presigned_url(self, key: str, *, expires_in: int, filename: str, media_type: str) -> str | None:
        """Local files are served by the API (a signed link of ours)."""
        return None


def _unavailable(exc: Exception) -> UpstreamUnavailableError:
    return UpstreamUnavailableError(
        f"the attachment storage did not answer as expected: {type(exc).__name__}"
    )


class S3Storage:
    """Objects in an S3-compatible bucket, through boto3 (imported only when this storage is used).

    A bucket that does not answer, or refuses, is a 503 (nothing is recorded for an upload it did not take).
    """

    name = "s3"

    def __init__(self, client: Any, *, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        """A client for the configured endpoint, region and credentials (boto3's chain when none are set)."""
        import boto3
        from botocore.config import Config

        credentials: dict[str, str] = {}
        if settings.attachment_s3_access_key_id:
            credentials = {
                "aws_access_key_id": settings.attachment_s3_access_key_id,
                "aws_secret_access_key": settings.attachment_s3_secret_access_key,
            }
        client = boto3.client(
            "s3",
            endpoint_url=settings.attachment_s3_endpoint_url or None,
            region_name=settings.attachment_s3_region,
            config=Config(
                signature_version="s3v4",
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
            **credentials,
        )
        return cls(client, bucket=settings.attachment_s3_bucket, prefix=settings.attachment_s3_prefix)

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def put(self, key: str, source: Path, *, media_type: str) -> None:
        """Upload the file (multipart above boto3's threshold, so it is streamed, never read whole)."""
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.upload_file(
                str(source), self.bucket, self._key(key), ExtraArgs={"ContentType": media_type}
            )
        except (Boto3Error, BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc

    def open(self, key: str) -> Iterator[bytes]:
        """Stream the object."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body: BinaryIO = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc
        return _chunks(body)

    def delete(self, key: str) -> None:
        """Delete the object (S3 answers success for a missing one too)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc

    def presigned_url(self, key: str, *, expires_in: int, filename: str, media_type: str) -> str | None:
        """A presigned GET of the object, valid ``expires_in`` seconds, saved under its file name."""
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._key(key),
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": media_type,
            },
            ExpiresIn=expires_in,
        )
        return url


def storage_from_settings(settings: Settings) -> Storage:
    """The storage the settings choose."""
    if settings.attachment_storage == "s3":
        return S3Storage.from_settings(settings)
    return LocalStorage(Path(settings.data_dir) / "attachments")
