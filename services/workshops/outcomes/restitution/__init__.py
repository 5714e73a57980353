"""Restitution: what a process and its workshops produced, for restitution events."""
