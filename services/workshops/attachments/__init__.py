"""Attachments: files on workshops, restitution events, minutes and inventions."""
