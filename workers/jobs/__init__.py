"""Importing this package registers every job with workers.runtime."""

from . import deadlines, replay  # noqa: F401
