"""Dependencies of the workshops service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.clients.registry import RegistryClient


def get_registry(request: Request) -> RegistryClient:
    """The registry client the app was built with."""
    registry: RegistryClient = request.app.state.registry
    return registry


RegistryDep = Annotated[RegistryClient, Depends(get_registry)]
