"""Error pages in the user's language, JSON errors for the API: never a bare 500 for bad input."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db
from webapp.rendering import render

MACHINE_PREFIXES = ("/api/", "/hooks/", "/inbound/")  # callers that read JSON, not pages


def _messages() -> dict[int, tuple[str, str]]:
    # Built per request so each title and text is translated into the request's locale.
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        401: (_("Sign-in required"), _("Please sign in to continue.")),
        403: (_("Not allowed"), _("Your role in this workspace does not allow this.")),
        404: (_("Page not found"), _("There is nothing here, or it is not yours to see.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is larger than Leadline accepts.")),
        429: (_("Too many attempts"), _("Please wait a few minutes and try again.")),
        500: (_("Something went wrong"), _("We could not finish this. Nothing was saved.")),
    }


def _code_name(status: int) -> str:
    names = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "rate_limited",
        500: "server_error",
        503: "unavailable",
    }
    return names.get(status, "error")


def json_error(status: int, message: str, fields: list[dict] | None = None) -> Response:
    """The API's one error shape: {"error": {"code", "message", "fields": [{path, message}]}}."""
    body = {"error": {"code": _code_name(status), "message": message, "fields": fields or []}}
    response = jsonify(body)
    response.status_code = status
    return response


def _handle(status: int, detail: str | None = None) -> Response:
    title, text = _messages().get(status, _messages()[500])
    if request.path.startswith(MACHINE_PREFIXES):
        return json_error(status, detail or text)
    return render("errors/error.html", status=status, title=title, text=detail or text)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return _handle(400, _("This form has expired. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = _handle(error.code or 500)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Response:
        db.session.rollback()
        return _handle(500)
