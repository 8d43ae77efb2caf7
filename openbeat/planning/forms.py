"""The planning tools' questions as Django forms (all GET: they change nothing, so need no login).

Choices (areas, months) come from the lake; a form built with ``forms_choices()`` only
accepts areas that exist, so a bad URL gets a plain error message, not a stack trace.
"""

from __future__ import annotations

from django import forms

from openbeat.areas import lookup, periods

CRIME_TYPE_CHOICES = [("", "All crime (excluding anti-social behaviour)")] + [
    (ct, ct) for ct in lookup.CRIME_TYPES]
MONTH_RE = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"  # as the API: years 1900-2199


def area_choices(*, forces: bool = True, boroughs: bool = True, wards: bool = False) -> list[tuple[str, str]]:
    out = []
    if forces:
        out += [(f.code, f"{f.name} (whole force)") for f in lookup.forces()]
    if boroughs:
        out += [(b.code, b.name) for b in lookup.area_list(level="borough", limit=1000)[0]]
    if wards:
        out += [(w.code, w.name) for w in sorted(lookup.area_list(level="ward", limit=1000)[0],
                                                  key=lambda a: a.name)]
    return out


class _Form(forms.Form):
    """Fields are drawn by ``components/field.html`` (GOV.UK pattern: an error summary at the
    top of the page, each message above its field)."""

    def errors_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary, in field order."""
        out = []
        for name, errs in self.errors.items():
            target = f"id_{name}" if name in self.fields else ""
            out += [(target, e) for e in errs]
        return out


class CompareForm(_Form):
    level = forms.ChoiceField(label="Compare", initial="ward", choices=[
        ("ward", "Wards"), ("borough", "Boroughs"), ("lsoa21", "Small areas (LSOAs)")])
    within = forms.ChoiceField(label="Within", required=False, help_text="Leave empty for every area loaded.")
    crime_type = forms.ChoiceField(label="Crime", required=False, choices=CRIME_TYPE_CHOICES)
    overdispersion = forms.TypedChoiceField(
        label="Limits", required=False, initial="", empty_value=None,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        choices=[("", "Widened where areas differ beyond chance (overdispersion), the default"),
                 ("false", "Poisson: chance alone"), ("true", "Always widened")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["within"].choices = [("", "Everywhere")] + area_choices()


class TargetingForm(_Form):
    level = forms.ChoiceField(label="Rank", initial="ward", choices=[("ward", "Wards"), ("borough", "Boroughs")])
    within = forms.ChoiceField(label="Within", required=False, help_text="Leave empty for every area loaded.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["within"].choices = [("", "Everywhere")] + area_choices()


def _with_period(form_class):
    """Add the period fields (``period``, ``from``, ``to``: :mod:`openbeat.areas.periods`) to a tool's form."""
    def month(label: str) -> forms.RegexField:
        return forms.RegexField(label=label, regex=MONTH_RE, max_length=7, required=False,
                                help_text="Year and month, for example 2025-01. From and To win over the list.",
                                error_messages={"invalid": f"Enter the {label.lower()} month as year and month, "
                                                           "for example 2025-01"})
    form_class.base_fields = {
        **form_class.base_fields,
        "period": forms.ChoiceField(label="Months", required=False, initial=periods.DEFAULT,
                                    choices=list(periods.PRESETS.items())),
        "from": month("From"),
        "to": month("To"),
    }
    return form_class


CompareForm = _with_period(CompareForm)
TargetingForm = _with_period(TargetingForm)


class AllocationForm(_Form):
    within = forms.ChoiceField(label="Share among the wards of")
    officers = forms.IntegerField(label="Dedicated ward officers", min_value=0, max_value=100_000,
                                  help_text="Every ward first gets its minimum; the rest go where the harm is.")
    pcsos = forms.IntegerField(label="Police community support officers (PCSOs)", min_value=0, max_value=100_000)
    trust_weight = forms.FloatField(
        label="Weight for low trust", min_value=0, max_value=10, required=False, initial=0,
        help_text="0 shares by harm alone; 1 counts a ward with twice the average trust gap as having twice its harm.")
    min_officers = forms.IntegerField(label="Minimum officers per ward", min_value=0, max_value=100, initial=2,
                                      required=False)
    min_pcsos = forms.IntegerField(label="Minimum PCSOs per ward", min_value=0, max_value=100, initial=1,
                                   required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["within"].choices = area_choices()

    def clean(self):
        data = super().clean()
        data["trust_weight"] = data.get("trust_weight") or 0.0
        data["min_officers"] = 2 if data.get("min_officers") is None else data["min_officers"]
        data["min_pcsos"] = 1 if data.get("min_pcsos") is None else data["min_pcsos"]
        return data


AllocationForm = _with_period(AllocationForm)


class DidItWorkForm(_Form):
    ward = forms.ChoiceField(label="Ward")
    start = forms.RegexField(label="Month the action started", regex=MONTH_RE, max_length=7,
                             help_text="Year and month, for example 2025-01.",
                             error_messages={"invalid": "Enter the month as year and month, for example 2025-01"})
    crime_type = forms.MultipleChoiceField(label="Crime the action was aimed at", required=False,
                                           choices=CRIME_TYPE_CHOICES,
                                           help_text="One or more; none chosen means all crime.")
    before_months = forms.IntegerField(label="Months before the start to compare with", min_value=1, max_value=60,
                                       initial=12, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = area_choices(forces=False, boroughs=False, wards=True)

    def clean(self):
        data = super().clean()
        data["before_months"] = data.get("before_months") or 12
        data["crime_type"] = [c for c in data.get("crime_type") or [] if c]
        return data
