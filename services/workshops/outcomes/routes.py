"""HTTP routes of the outcomes domain (thin: parse, authorise, call the service, shape the response)."""

from fastapi import APIRouter

router = APIRouter()
