"""Forms only parse and present input; the rules live in services."""

from __future__ import annotations

import datetime as dt

from django import forms

from openbeat.analytics.harm import CRIME_TYPES
from openbeat.priorities.models import DESCRIPTION_MAX, TEXT_MAX, TITLE_MAX, Priority, TimelineEntry


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label="Title",
                            help_text="A few words, e.g. “Speeding on Station Road”.")
    description = forms.CharField(max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                                  label="What is happening, and where",
                                  help_text="Describe the problem and the streets or places it affects. "
                                            "Don't include anyone's personal details.")
    crime_types = forms.MultipleChoiceField(choices=[(t, t) for t in CRIME_TYPES], widget=forms.CheckboxSelectMultiple,
                                            label="Which types of crime is it about?",
                                            help_text="police.uk's categories: the evidence shown once it is "
                                                      "adopted counts these.")
    latitude = forms.FloatField(required=False, label="Latitude (optional)")
    longitude = forms.FloatField(required=False, label="Longitude (optional)")


class AdoptForm(forms.Form):
    until = forms.DateField(label="Adopted until", help_text="The end of the period, e.g. 2027-03-31.",
                            widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Note (optional, public)")


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                             label="Why it is declined (shown to everyone)")


class ActionForm(forms.Form):
    kind = forms.ChoiceField(choices=[(TimelineEntry.Kind.ACTION, "An action taken"),
                                      (TimelineEntry.Kind.UPDATE, "A progress update")],
                             widget=forms.RadioSelect, label="What are you posting?")
    text = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), label="What was done")
    happened_on = forms.DateField(label="Date it happened", initial=dt.date.today,
                                  widget=forms.DateInput(attrs={"type": "date"}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=Priority.Outcome.choices, widget=forms.RadioSelect, label="Outcome")
    summary = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                              label="Summary (shown to everyone)")


def add_errors(form: forms.Form, exc) -> None:
    """A service's ValidationError onto the form: per field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
