"""Delivering the outbox: messages rendered per locale, sent through one sender per channel."""

IN_APP = "in_app"  # the channel whose message is the outbox row itself, shown by the bell
