"""HTTP routes of the registry."""

from fastapi import APIRouter

router = APIRouter()
