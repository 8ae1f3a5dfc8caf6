"""Policy replay pages: pick a version and a past period, watch the job, read what would differ."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, redirect, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, ValidationError

from tenants.replay import Change, ReplayDiff
from webapp.clock import now
from webapp.extensions import db
from webapp.htmx_answers import poll_status
from webapp.models import Lead, PolicyReplay, PolicyVersion, ReplayState, Role
from webapp.operations import replays
from webapp.rendering import render, wants_fragment
from webapp.tenancy import get_or_404, requires_role, scoped

from .blueprint import replay_bp as bp

REPLAYERS = (Role.ADMIN, Role.DIRECTOR)
MAX_DAYS = 92
DEFAULT_DAYS = 7
LEADS_SHOWN = 200

KIND_LABELS = {
    "breach_avoided": _l("Breaches avoided"),
    "breach_added": _l("New breaches"),
    "deadline_moved": _l("Deadlines moved"),
    "deadline_state": _l("Other deadline changes"),
    "timer_added": _l("Timers added"),
    "timer_removed": _l("Timers removed"),
    "reassignment": _l("Reassignments changed"),
    "flag": _l("Flags changed"),
    "lost": _l("Lost status changed"),
    "duplicate": _l("Duplicate decisions changed"),
}
DEADLINE_STATES = {"met": _l("met"), "breached": _l("breached"), "pending": _l("pending")}
REPLAY_STATES = {
    ReplayState.QUEUED: _l("queued"),
    ReplayState.RUNNING: _l("running"),
    ReplayState.DONE: _l("done"),
    ReplayState.FAILED: _l("failed"),
}
FATE_LABELS = {
    "merged": _l("merged into a duplicate"),
    "linked": _l("linked to a duplicate"),
    "invalid": _l("invalidated as duplicate"),
}


def _today() -> date:
    return now().astimezone(ZoneInfo(g.workspace.time_zone)).date()


class ReplayForm(FlaskForm):
    """The version to try and the days (in the workspace's time zone) to replay."""

    draft = SelectField(_l("Version to try"), coerce=int, validate_choice=False)
    first_day = DateField(_l("From"), validators=[DataRequired(_l("Enter the first day."))])
    last_day = DateField(_l("To"), validators=[DataRequired(_l("Enter the last day."))])

    def validate_last_day(self, field: DateField) -> None:
        first, last = self.first_day.data, field.data
        if first is None or last is None:
            return
        if last < first:
            raise ValidationError(_("The last day must not be before the first."))
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationError(_("A replay covers at most %(days)d days.", days=MAX_DAYS))
        if last > _today():
            raise ValidationError(_("The period cannot end after today."))


def _period(first: date, last: date) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight after `last`) as UTC instants."""
    zone = ZoneInfo(g.workspace.time_zone)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _versions() -> list[PolicyVersion]:
    return db.session.scalars(scoped(PolicyVersion).order_by(PolicyVersion.number.desc())).all()


def _prefill(form: ReplayForm, versions: list[PolicyVersion]) -> None:
    chosen = request.args.get("version", type=int)
    if chosen is not None:
        form.draft.data = get_or_404(PolicyVersion, chosen).id
    else:
        inactive = [v for v in versions if v.id != g.workspace.active_policy_version_id]
        pick = (inactive or versions)[:1]
        form.draft.data = pick[0].id if pick else None
    form.last_day.data = _today()
    form.first_day.data = form.last_day.data - timedelta(days=DEFAULT_DAYS - 1)


def _recent() -> list[PolicyReplay]:
    return db.session.scalars(
        scoped(PolicyReplay)
        .options(joinedload(PolicyReplay.draft_version))
        .order_by(PolicyReplay.created_at.desc())
        .limit(10)
    ).all()


@bp.route("/", methods=["GET", "POST"])
@requires_role(*REPLAYERS)
def new() -> Response:
    """Pick a policy version and a past period to replay against the active version."""
    versions = _versions()
    form = ReplayForm()
    form.draft.choices = [(v.id, _("Version %(number)d", number=v.number)) for v in versions]
    if request.method == "GET":
        _prefill(form, versions)
    else:
        # Another workspace's version is not there at all, whatever else is wrong.
        draft = get_or_404(PolicyVersion, form.draft.data) if form.draft.data else None
        if form.validate_on_submit() and draft is not None:
            start, end = _period(form.first_day.data, form.last_day.data)
            replay = replays.start_replay(g.workspace, draft, start, end, actor=current_user)
            return redirect(url_for("replay.show", replay_id=replay.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "policy/replay_new.html",
        status=status,
        form=form,
        recent=_recent(),
        state_labels=REPLAY_STATES,
    )


def _when(iso: str | None) -> str:
    return format_datetime(datetime.fromisoformat(iso), "short") if iso else ""


def _deadline_text(c: Change) -> str:
    return _(
        "%(timer)s due %(before)s → %(after)s",
        timer=c.subject,
        before=_when(c.before),
        after=_when(c.after),
    )


def _state_text(c: Change) -> str:
    return _(
        "%(timer)s: %(before)s → %(after)s",
        timer=c.subject,
        before=DEADLINE_STATES.get(c.before, c.before),
        after=DEADLINE_STATES.get(c.after, c.after),
    )


def _timer_added_text(c: Change) -> str:
    return _("%(timer)s: no timer → due %(after)s", timer=c.subject, after=_when(c.after))


def _timer_removed_text(c: Change) -> str:
    return _("%(timer)s: due %(before)s → no timer", timer=c.subject, before=_when(c.before))


def _reassignment_text(c: Change) -> str:
    if c.before:
        return _("would be reassigned on breach → not")
    return _("not reassigned → would be reassigned on breach")


def _flag_text(c: Change) -> str:
    flag = c.subject.upper()
    if c.before:
        return _("%(flag)s flag → not", flag=flag)
    return _("no flag → %(flag)s flag", flag=flag)


def _lost_text(c: Change) -> str:
    if c.before:
        return _("%(status)s → not lost", status=c.before)
    return _("not lost → %(status)s", status=c.after)


def _duplicate_text(c: Change) -> str:
    kept = _("kept")
    return _(
        "%(before)s → %(after)s",
        before=FATE_LABELS.get(c.before, kept),
        after=FATE_LABELS.get(c.after, kept),
    )


DESCRIBE: dict[str, Callable[[Change], str]] = {
    "breach_avoided": _state_text,
    "breach_added": _state_text,
    "deadline_state": _state_text,
    "deadline_moved": _deadline_text,
    "timer_added": _timer_added_text,
    "timer_removed": _timer_removed_text,
    "reassignment": _reassignment_text,
    "flag": _flag_text,
    "lost": _lost_text,
    "duplicate": _duplicate_text,
}


def _result(replay: PolicyReplay) -> dict[str, Any]:
    """The stored differences, ready to show: counts, and the first leads with their changes."""
    diff = ReplayDiff.from_json(replay.result or {})
    shown = diff.leads[:LEADS_SHOWN]
    ids = [int(row.lead_id) for row in shown]
    names = (
        dict(
            db.session.execute(
                scoped(Lead).with_only_columns(Lead.id, Lead.contact_name).where(Lead.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    rows = [
        {
            "lead_id": int(row.lead_id),
            "name": names.get(int(row.lead_id)),
            "changes": [DESCRIBE[c.kind](c) for c in row.changes],
        }
        for row in shown
    ]
    counts = [(KIND_LABELS[kind], n) for kind, n in diff.counts.items()]
    summary = ngettext(
        "%(num)d lead of %(total)d replayed would be decided differently.",
        "%(num)d leads of %(total)d replayed would be decided differently.",
        len(diff.leads),
        total=diff.leads_replayed,
    )
    hidden = len(diff.leads) - len(rows)
    more = ngettext("and %(num)d more lead", "and %(num)d more leads", hidden) if hidden else ""
    return {"counts": counts, "rows": rows, "summary": summary, "more": more}


def _page(replay: PolicyReplay) -> dict[str, Any]:
    zone = ZoneInfo(g.workspace.time_zone)
    return {
        "replay": replay,
        "first_day": replay.period_start.astimezone(zone).date(),
        "last_day": (replay.period_end - timedelta(microseconds=1)).astimezone(zone).date(),
        "result": _result(replay) if replay.state == ReplayState.DONE else None,
    }


def _load(replay_id: int) -> PolicyReplay:
    return get_or_404(PolicyReplay, replay_id)


@bp.route("/<int:replay_id>")
@requires_role(*REPLAYERS)
def show(replay_id: int) -> Response:
    """One replay: a progress bar while it runs, the differences once done."""
    return render("policy/replay.html", **_page(_load(replay_id)))


@bp.route("/<int:replay_id>/status")
@requires_role(*REPLAYERS)
def status(replay_id: int) -> Response:
    """The polled status fragment; answers 286 once finished so htmx stops polling."""
    replay = _load(replay_id)
    if not wants_fragment():
        return redirect(url_for("replay.show", replay_id=replay.id))
    return render(
        "policy/replay.html", "status", status=poll_status(replay.finished), **_page(replay)
    )
