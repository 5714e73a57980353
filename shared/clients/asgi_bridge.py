"""A synchronous httpx transport that serves requests with an in-process ASGI app.

Routes run in worker threads; this transport hands each request back to the event loop with
``anyio.from_thread.run`` so a sync client can call another service's real app in-process (tests, demo
loader). In production the clients use the network.
"""

from __future__ import annotations

import anyio.from_thread
import httpx
from starlette.types import ASGIApp


class ASGIBridgeTransport(httpx.BaseTransport):
    """Serve sync httpx requests with an ASGI app running on the caller's event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self._transport = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the request through the ASGI app and return the fully read response."""

        async def call() -> httpx.Response:
            await request.aread()
            response = await self._transport.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=content, request=request
            )

        return anyio.from_thread.run(call)
