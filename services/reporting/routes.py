"""HTTP routes of the reporting read models."""

from fastapi import APIRouter

router = APIRouter()
