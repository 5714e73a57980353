"""Dependencies of the workshops service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.clients.registry import RegistryClient


async def get_registry(request: Request) -> RegistryClient:
    """The registry client the app was built with (async: an attribute lookup needs no worker thread)."""
    registry: RegistryClient = request.app.state.registry
    return registry


RegistryDep = Annotated[RegistryClient, Depends(get_registry)]
