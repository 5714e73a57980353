"""Dependencies shared by the processes domain's routes."""

from __future__ import annotations

from shared.api.etag import IfMatch as IfMatch  # the one definition, re-exported for older imports
