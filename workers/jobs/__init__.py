"""Importing this package registers every job with workers.runtime."""

from . import deadlines  # noqa: F401
