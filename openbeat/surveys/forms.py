"""The pulse form: the PAS questions, then the optional age band and sex."""

from __future__ import annotations

from django import forms

from openbeat.events.forms import AnswersForm
from openbeat.surveys.models import AGE_BANDS, SEXES


class PulseForm(AnswersForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age_band"] = forms.ChoiceField(
            choices=AGE_BANDS, widget=forms.RadioSelect, required=False, label="Your age (optional)",
            help_text="Used only to weight answers to the ward’s Census 2021 profile; never shown.")
        self.fields["sex"] = forms.ChoiceField(choices=SEXES, widget=forms.RadioSelect, required=False,
                                               label="Your sex (optional)", help_text="As above: for weighting only.")
