"""HTTP routes of webhook subscriptions and deliveries."""

from fastapi import APIRouter

router = APIRouter()
