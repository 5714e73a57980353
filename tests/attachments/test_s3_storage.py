"""The S3 storage against a real S3-compatible server: moto in server mode on a free loopback port.

The workshops app talks to it through boto3 over HTTP exactly as it would to a production bucket; downloads
are presigned URLs of that server, fetched here with a plain HTTP client.
"""

from __future__ import annotations

import hashlib
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from sqlmodel import Session

from services.workshops.attachments import events as ev
from shared.eventlog import last_position, read_stream
from tests.attachments.conftest import PDF, PNG, Place, with_client

pytestmark = pytest.mark.anyio

REGION = "eu-south-1"
CREDENTIALS = {"aws_access_key_id": "communitylab-test", "aws_secret_access_key": "communitylab-test-secret"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on loopback, for the module."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> tuple[Any, str]:
    """A fresh bucket of the test's own, and a boto3 client to look into it."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    name = f"communitylab-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client, name


def _s3_settings(endpoint: str, bucket_name: str, **extra: Any) -> dict[str, Any]:
    return {
        "attachment_storage": "s3",
        "attachment_s3_endpoint_url": endpoint,
        "attachment_s3_bucket": bucket_name,
        "attachment_s3_region": REGION,
        "attachment_s3_access_key_id": CREDENTIALS["aws_access_key_id"],
        "attachment_s3_secret_access_key": CREDENTIALS["aws_secret_access_key"],
        "attachment_s3_prefix": "allegati/",
        **extra,
    }


@pytest.fixture
def on_s3(
    place: Place, make_workshops: Callable[..., httpx.AsyncClient], s3_endpoint: str, bucket: tuple[Any, str]
) -> Place:
    return with_client(place, make_workshops(**_s3_settings(s3_endpoint, bucket[1])))


async def test_an_upload_lands_in_the_bucket_and_downloads_by_a_presigned_url(
    on_s3: Place, bucket: tuple[Any, str], session: Session
) -> None:
    client, name = bucket
    response = await on_s3.upload(
        f"/workshops/{on_s3.restitution_id}/attachments", PDF, filename="slide.pdf", title="Slide"
    )
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    stored = client.get_object(Bucket=name, Key=f"allegati/{uuid.UUID(attachment['id']).hex}")
    assert stored["Body"].read() == PDF
    assert stored["ContentType"] == "application/pdf"
    assert on_s3.stored_files() == []  # nothing on the local disk

    link = await on_s3.workshops.get(f"/attachments/{attachment['id']}/link")
    assert link.status_code == 200, link.text
    body = link.json()
    assert body["storage"] == "s3"
    url = urlsplit(body["url"])
    assert f"{url.scheme}://{url.netloc}" == client.meta.endpoint_url
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"] and "X-Amz-Signature" in query
    async with httpx.AsyncClient() as plain:
        download = await plain.get(body["url"])
    assert download.status_code == 200, download.text
    assert download.content == PDF
    assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
    assert 'filename="slide.pdf"' in download.headers["content-disposition"]

    [event] = read_stream(session, ev.ATTACHMENT, attachment["id"])
    assert event.payload["media_type"] == "application/pdf"


async def test_a_presigned_url_is_signed_for_the_configured_life(
    place: Place, make_workshops: Callable[..., httpx.AsyncClient], s3_endpoint: str, bucket: tuple[Any, str]
) -> None:
    """The expiry is part of the signed query (S3 refuses the URL after it; moto does not enforce it)."""
    short = with_client(
        place, make_workshops(**_s3_settings(s3_endpoint, bucket[1], attachment_link_seconds=120))
    )
    created = await short.upload(f"/workshops/{short.workshop_id}/attachments", PNG, filename="foto.png")
    assert created.status_code == 201, created.text
    before = datetime.now(UTC)
    link = (await short.workshops.get(f"/attachments/{created.json()['id']}/link")).json()
    query = parse_qs(urlsplit(link["url"]).query)
    assert query["X-Amz-Expires"] == ["120"]
    assert len(query["X-Amz-Signature"][0]) == 64
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((signed_at - before).total_seconds()) < 5
    expires_at = datetime.fromisoformat(link["expires_at"])
    assert abs((expires_at - (signed_at + timedelta(seconds=120))).total_seconds()) < 5


async def test_removing_deletes_the_object(on_s3: Place, bucket: tuple[Any, str]) -> None:
    client, name = bucket
    created = (await on_s3.upload(f"/inventions/{on_s3.invention_id}/attachments", PNG)).json()
    key = f"allegati/{uuid.UUID(created['id']).hex}"
    assert client.list_objects_v2(Bucket=name)["KeyCount"] == 1
    removed = await on_s3.workshops.delete(f"/attachments/{created['id']}", headers=on_s3.editor)
    assert removed.status_code == 204, removed.text
    listing = client.list_objects_v2(Bucket=name)
    assert key not in [o["Key"] for o in listing.get("Contents", [])]


async def test_refused_files_never_reach_the_bucket(on_s3: Place, bucket: tuple[Any, str]) -> None:
    client, name = bucket
    mismatch = await on_s3.upload(f"/workshops/{on_s3.workshop_id}/attachments", PNG, filename="verbale.pdf")
    assert mismatch.status_code == 422, mismatch.text
    assert client.list_objects_v2(Bucket=name)["KeyCount"] == 0


async def test_a_bucket_that_does_not_answer_is_503_and_records_nothing(
    place: Place, make_workshops: Callable[..., httpx.AsyncClient], session: Session
) -> None:
    down = with_client(place, make_workshops(**_s3_settings(f"http://127.0.0.1:{_free_port()}", "nessuno")))
    before = last_position(session)
    response = await down.upload(f"/workshops/{down.workshop_id}/attachments", PDF, filename="verbale.pdf")
    assert response.status_code == 503, response.text
    assert last_position(session) == before
    listed = await down.workshops.get(f"/workshops/{down.workshop_id}/attachments")
    assert listed.json()["items"] == []
