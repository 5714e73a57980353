"""Route-level pieces of attachments: the storage and the virus scanner the app was built with, If-Match."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.workshops.attachments.scan import Scanner, load_scanner
from services.workshops.attachments.storage import Storage, storage_from_settings
from shared.config import Settings


def get_storage(request: Request) -> Storage:
    """The app's attachment storage, built from its settings on first use."""
    state = request.app.state
    storage: Storage | None = getattr(state, "attachment_storage", None)
    if storage is None:
        settings: Settings = state.settings
        storage = state.attachment_storage = storage_from_settings(settings)
    return storage


def get_scanner(request: Request) -> Scanner | None:
    """The app's virus-scan hook (None when not configured), loaded from its settings on first use."""
    state = request.app.state
    if not hasattr(state, "attachment_scanner"):
        settings: Settings = state.settings
        state.attachment_scanner = load_scanner(settings.attachment_scanner)
    scanner: Scanner | None = state.attachment_scanner
    return scanner


StorageDep = Annotated[Storage, Depends(get_storage)]
ScannerDep = Annotated[Scanner | None, Depends(get_scanner)]
