"""Webhooks: subscriptions, signed deliveries driven from the event log, the delivery log."""
