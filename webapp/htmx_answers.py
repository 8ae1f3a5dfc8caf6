"""The answers htmx understands, in one place: a poll told nothing changed, a poll told to
stop, an event for the page to react to, and the ending of a form view.

(`webapp.extensions.htmx` is the request's htmx details; this module is what we answer.)
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, redirect

from webapp.extensions import htmx

STOP_POLLING = 286  # htmx stops an `every` trigger on this status


def poll_status(finished: bool) -> int:
    """The status of a polled fragment: 286 once the work it shows is finished, so htmx
    swaps it in one last time and stops asking."""
    return STOP_POLLING if finished else 200


def unchanged() -> Response:
    """A poll that carried the version it shows, which is still current: nothing to swap."""
    return Response(status=204)


def trigger(event: str) -> Response:
    """Nothing to swap here; the elements listening for `event` refresh themselves."""
    return Response(status=204, headers={"HX-Trigger": event})


def redirect_or_fragment(
    to: str,
    fragment: Callable[[], Response],
    message: str | None = None,
    category: str = "message",
) -> Response:
    """The end of a form view: a plain request goes to `to` with `message` flashed
    (post/redirect/get), an htmx request gets `fragment()` swapped in place."""
    if not htmx:
        if message:
            flash(message, category)
        return redirect(to)
    return fragment()
