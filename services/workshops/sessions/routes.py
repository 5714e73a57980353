"""HTTP routes of the sessions domain (thin: parse, authorise, call the service, shape the response)."""

from fastapi import APIRouter

router = APIRouter()
