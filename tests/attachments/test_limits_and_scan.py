"""The size limit (413, read as a stream) and the virus-scan hook, both before anything is stored."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from shared.errors import PROBLEM_MEDIA_TYPE
from tests.attachments import scanners
from tests.attachments.conftest import PDF, TEXT, Place, with_client

pytestmark = pytest.mark.anyio

LIMIT = 4096


@pytest.fixture
def small(place: Place, make_workshops: Callable[..., httpx.AsyncClient]) -> Place:
    return with_client(place, make_workshops(attachment_max_bytes=LIMIT))


def _too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == "https://communitylab.example/problems/payload-too-large"


async def test_a_file_one_byte_over_the_limit_is_413_and_one_at_the_limit_is_stored(small: Place) -> None:
    path = f"/workshops/{small.workshop_id}/attachments"
    _too_large(await small.upload(path, b"a" * (LIMIT + 1), filename="lungo.txt"))
    _too_large(
        await small.workshops.post(
            path, content=b"a" * (LIMIT + 1), headers={**small.editor, "Content-Type": "text/plain"}
        )
    )
    assert small.stored_files() == []
    at_limit = await small.upload(path, b"a" * LIMIT, filename="giusto.txt")
    assert at_limit.status_code == 201, at_limit.text
    assert at_limit.json()["size_bytes"] == LIMIT


async def test_an_endless_body_is_cut_off_after_the_limit_not_read_whole(small: Place) -> None:
    chunk = b"b" * 1024
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100_000):  # 100 MB if it were all read
            sent += 1
            yield chunk

    response = await small.workshops.post(
        f"/workshops/{small.workshop_id}/attachments",
        content=endless(),
        headers={**small.editor, "Content-Type": "text/plain"},
    )
    _too_large(response)
    assert sent <= LIMIT // len(chunk) + 2, f"{sent} chunks were read for a {LIMIT}-byte limit"
    assert small.stored_files() == []


async def test_a_declared_length_far_over_the_limit_is_refused_before_reading(small: Place) -> None:
    response = await small.workshops.post(
        f"/workshops/{small.workshop_id}/attachments",
        content=b"%PDF-",
        headers={**small.editor, "Content-Type": "application/pdf", "Content-Length": str(50 * 1024 * 1024)},
    )
    _too_large(response)


async def test_other_routes_keep_the_ordinary_body_limit(
    small: Place, make_workshops: Callable[..., httpx.AsyncClient]
) -> None:
    big = {"title": "x" * 10, "note": "y" * (2 * 1024 * 1024)}
    response = await small.workshops.post("/processes", json=big, headers=small.editor)
    _too_large(response)


@pytest.mark.parametrize(
    "spec",
    [
        "tests.attachments.scanners:refuse_eicar",
        f"command:{sys.executable} -m tests.attachments.scanners",
    ],
    ids=["callable", "command"],
)
async def test_the_scan_hook_refuses_an_eicar_file_and_lets_a_clean_one_through(
    place: Place, make_workshops: Callable[..., httpx.AsyncClient], spec: str
) -> None:
    scanned = with_client(place, make_workshops(attachment_scanner=spec))
    path = f"/workshops/{scanned.workshop_id}/attachments"
    infected = await scanned.upload(path, scanners.EICAR + b"\n" + TEXT, filename="eicar.txt")
    assert infected.status_code == 422, infected.text
    [error] = infected.json()["errors"]
    assert error["type"] == "virus_found" and "Eicar-Test-Signature" in error["message"]
    assert scanned.stored_files() == []
    clean = await scanned.upload(path, PDF, filename="verbale.pdf")
    assert clean.status_code == 201, clean.text
    assert len(scanned.stored_files()) == 1


async def test_a_failing_scanner_is_503_and_stores_nothing(
    place: Place, make_workshops: Callable[..., httpx.AsyncClient]
) -> None:
    broken = with_client(
        place, make_workshops(attachment_scanner=f"command:{sys.executable} -c 'raise SystemExit(2)'")
    )
    response = await broken.upload(
        f"/workshops/{broken.workshop_id}/attachments", PDF, filename="verbale.pdf"
    )
    assert response.status_code == 503, response.text
    assert broken.stored_files() == []
