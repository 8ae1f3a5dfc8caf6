"""Delivering the outbox: messages rendered per locale, sent through one sender per channel."""
