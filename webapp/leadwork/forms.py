"""The forms agents fill in all day; their choices come from the workspace's policy."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from tenants import Policy
from webapp.amounts import parse_amount
from webapp.policy.labels import PolicyLabels

NONE = [SelectChoice("", "—")]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in pairs]


class IntakeForm(FlaskForm):
    channel = SelectField(_l("How did the lead come in?"), choices=NONE)
    contact_name = StringField(_l("Contact name"), validators=[Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    account_ref = StringField(_l("Account reference"), validators=[Optional(), Length(max=100)])
    source = SelectField(_l("Source"), choices=NONE, validate_choice=False)
    lead_type = SelectField(_l("Lead type"), choices=NONE, validate_choice=False)
    rating = SelectField(_l("Rating"), choices=NONE, validate_choice=False)
    taken = BooleanField(_l("I took this call"))

    def use_policy(self, labels: PolicyLabels) -> None:
        policy = labels.policy
        self.channel.choices = _choices(labels.channels())
        self.source.choices = NONE + _choices(labels.sources())
        self.lead_type.choices = NONE + _choices(labels.lead_types())
        self.rating.choices = NONE + _choices((r, r) for r in policy.intake.rating_scale)


class LeadEditForm(FlaskForm):
    """The lead's own fields, as its owner or a manager corrects them after intake."""

    contact_name = StringField(_l("Contact name"), validators=[Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    lead_type = SelectField(_l("Lead type"), choices=NONE, validate_choice=False)
    rating = SelectField(_l("Rating"), choices=NONE, validate_choice=False)

    def use_policy(self, labels: PolicyLabels) -> None:
        self.lead_type.choices = NONE + _choices(labels.lead_types())
        self.rating.choices = NONE + _choices((r, r) for r in labels.policy.intake.rating_scale)

    def offered(self, policy: Policy) -> list[str]:
        """The fields this policy's leads have: no type or rating where it has none."""
        names = ["contact_name", "phone", "email", "company"]
        names += ["lead_type"] if policy.intake.lead_types else []
        return names + (["rating"] if policy.intake.rating_scale else [])


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=NONE, validate_choice=False)
    channel = SelectField(_l("Channel"), choices=NONE)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def use_policy(self, labels: PolicyLabels) -> None:
        groups = {"yes": _l("Yes"), "no": _l("No")}
        self.outcome.choices = NONE + [
            SelectChoice(
                o.code, labels.outcome(o.code), optgroup=str(groups.get(o.group or "", "")) or None
            )
            for o in labels.policy.outcomes.codes
        ]
        self.channel.choices = _choices(labels.contact_channels())
        if self.channel.data is None:
            self.channel.data = self.channel.choices[0].value  # the policy's first: call


class AmountField(StringField):
    """An amount typed as the reader writes numbers ("12 500,00" in French); `data` is a
    Decimal, or None when left empty."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.raw = text
        self.data = None
        if not text:
            return
        if len(text) > 30:
            raise ValueError(_("At most %(num)d characters.", num=30))
        try:
            self.data = parse_amount(text, str(get_locale() or "en"))
        except ValueError:
            raise ValueError(_("Not an amount: %(value)s.", value=text)) from None

    def _value(self) -> str:
        return getattr(self, "raw", None) or ("" if self.data is None else str(self.data))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=NONE, validate_choice=False)
    revenue = AmountField(_l("Revenue (won deals)"))
    advisor_commission = AmountField(_l("Advisor's commission (won deals)"))
    manager_commission = AmountField(_l("Manager's commission (won deals)"))
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=300)])

    def use_policy(self, labels: PolicyLabels) -> None:
        self.status.choices = _choices(labels.statuses())


def outcome_facts(policy: Policy) -> list[str]:
    """Facts the policy's outcomes ask about (schedule_callback's `only_if`), in order."""
    facts: list[str] = []
    for outcome in policy.outcomes.codes:
        for effect in outcome.effects:
            fact = getattr(effect, "only_if", None)
            if fact and fact not in facts:
                facts.append(fact)
    return facts
