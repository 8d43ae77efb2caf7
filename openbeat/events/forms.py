"""Forms only parse and present input; the rules live in services."""

from __future__ import annotations

from django import forms

from openbeat.events.models import TEXT_MAX, TITLE_MAX
from openbeat.events.questions import QUESTIONS

YES_NO = (("yes", "Yes"), ("no", "No"))


class EventForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label="Title", help_text="e.g. “Ward panel meeting: hear the plan”.")
    description = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                                  label="What will happen")
    venue = forms.CharField(max_length=200, label="Venue", help_text="e.g. Memorial Hall")
    address = forms.CharField(max_length=300, label="Address")
    starts_at = forms.DateTimeField(label="Starts", help_text="Date and time, e.g. 2026-12-10 18:30")
    ends_at = forms.DateTimeField(label="Ends", help_text="Date and time, e.g. 2026-12-10 20:00")
    capacity = forms.IntegerField(min_value=1, label="Places", help_text="How many people the venue can take.",
                                  widget=forms.NumberInput)
    step_free = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, label="Step-free access?")
    hearing_loop = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, label="Hearing loop?")
    language_support = forms.CharField(max_length=200, required=False, label="Language support (optional)",
                                       help_text="Interpreters or languages spoken, e.g. “Turkish, BSL”.")
    online_link = forms.URLField(required=False, assume_scheme="https", label="Online link (optional)",
                                 help_text="For people joining online, e.g. https://meet.example.org/ward-panel")
    other_wards = forms.CharField(required=False, max_length=300, label="Also for these wards (optional)",
                                  help_text="Ward codes separated by commas, e.g. E05013714, E05013715.")


class AnswersForm(forms.Form):
    """The Public Attitude Survey's questions, each optional; ``force_name`` is the force the
    trust question names (see :meth:`openbeat.events.questions.Question.asked`)."""

    def __init__(self, *args, force_name: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for q in QUESTIONS:
            self.fields[q.name] = forms.ChoiceField(choices=q.choices, widget=forms.RadioSelect, required=False,
                                                    label=q.asked(force_name=force_name))


class FeedbackForm(AnswersForm):
    rating = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Overall, how was the event?",
                                    choices=[(5, "5: excellent"), (4, "4: good"), (3, "3: fair"), (2, "2: poor"),
                                             (1, "1: very poor")])
    field_order = ["rating"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"] = forms.CharField(
            required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
            label="Anything else you want the team to know? (optional)",
            help_text="Published once a moderator or the organiser has checked it; your name is never shown.")


class MessageForm(forms.Form):
    subject = forms.CharField(max_length=150, label="Subject")
    body = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}), label="Message")


class RespondForm(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                           label="What the team will do (shown to everyone)")
