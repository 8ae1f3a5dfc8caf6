"""Importing this package registers every job with workers.runtime."""

from . import deadlines, lead_import, notify, replay  # noqa: F401
