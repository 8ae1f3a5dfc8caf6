"""The workspace and its policy over the API: read, replace (validated), schema, versions."""

from __future__ import annotations

from flask import g, jsonify, request
from werkzeug.wrappers import Response

from tenants import PolicyInvalid
from tenants.policy import policy_json_schema
from webapp.extensions import db
from webapp.models import PolicyVersion
from webapp.operations import policies
from webapp.tenancy import scoped
from webapp.validation_messages import engine_message

from .blueprint import ApiError, bad_text, endpoint, json_object, query, respond
from .schemas import (
    PolicyDocumentIn,
    PolicyOut,
    PolicyQuery,
    PolicyVersionOut,
    PolicyVersions,
    WorkspaceOut,
)


@endpoint(
    "GET",
    "/workspace",
    summary="The key's workspace",
    responses={200: WorkspaceOut},
    errors=(401, 429),
    role="agent",
    tags=("workspace",),
)
def workspace() -> Response:
    """The workspace this key belongs to."""
    ws = g.workspace
    return respond(
        WorkspaceOut(slug=ws.slug, name=ws.name, locale=ws.locale, time_zone=ws.time_zone)
    )


def _version(version: PolicyVersion) -> PolicyVersionOut:
    return PolicyVersionOut(
        number=version.number,
        comment=version.comment,
        author=version.author.name if version.author else None,
        created_at=version.created_at,
        active=version.id == g.workspace.active_policy_version_id,
    )


def _policy(version: PolicyVersion) -> PolicyOut:
    return PolicyOut(**_version(version).model_dump(), document=version.document)


@endpoint(
    "GET",
    "/policy",
    summary="The active policy",
    responses={200: PolicyOut},
    errors=(401, 404, 429),
    role="agent",
    tags=("policy",),
)
def policy() -> Response:
    """The active policy document and its version."""
    version = g.workspace.active_policy_version
    if version is None:
        raise ApiError(404, "this workspace has no active policy")
    return respond(_policy(version))


@endpoint(
    "PUT",
    "/policy",
    summary="Replace the policy",
    body=PolicyDocumentIn,
    query=PolicyQuery,
    responses={201: PolicyOut},
    errors=(400, 401, 422, 429),
    role="director",
    tags=("policy",),
)
def replace_policy() -> Response:
    """Validate a whole document (see /policy/schema), store it as a new version and activate
    it unless `activate=false`. 422 lists every error by path; nothing is stored. An empty
    document `{}` is stored only with `confirm_empty=true`. Needs a director or admin key."""
    document = json_object(request.get_data(cache=True), "the policy document as a JSON object")
    if (path := bad_text(document)) is not None:
        raise ApiError(422, "invalid input", [(path, "contains a character that cannot be stored")])
    q = query(PolicyQuery)
    if not document and not q.confirm_empty:
        message = "an empty document resets every setting to its default; send confirm_empty=true"
        raise ApiError(422, "nothing was saved", [("body", message)])
    try:
        version = policies.save_version(
            g.workspace,
            document,
            author=None,
            comment=q.comment or f"API key {g.api_key.name}",
            activate=q.activate,
        )
    except PolicyInvalid as exc:
        fields = [(path, engine_message(message)) for path, message in exc.errors]
        raise ApiError(422, "the policy document is invalid; nothing was saved", fields) from exc
    return respond(_policy(version), 201)


@endpoint(
    "GET",
    "/policy/schema",
    summary="The policy's JSON Schema",
    responses={200: None},
    errors=(401, 429),
    role="agent",
    tags=("policy",),
)
def policy_schema() -> Response:
    """The JSON Schema every policy document is validated against."""
    return jsonify(policy_json_schema())


@endpoint(
    "GET",
    "/policy/versions",
    summary="Every version of the policy",
    responses={200: PolicyVersions},
    errors=(401, 429),
    role="agent",
    tags=("policy",),
)
def policy_versions() -> Response:
    """Every version of the workspace's policy, newest first."""
    rows = db.session.scalars(scoped(PolicyVersion).order_by(PolicyVersion.number.desc())).all()
    return respond(PolicyVersions(versions=[_version(v) for v in rows]))
