from django import forms

from openbeat.accounts.models import User


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Your public name", max_length=60, required=True,
        help_text="Shown beside what you write. Use a first name or a nickname, not your full name.")
    notify_frequency = forms.ChoiceField(
        label="Emails about what you follow", choices=User.NotifyFrequency.choices, widget=forms.RadioSelect)


class HomeWardForm(forms.Form):
    ward_code = forms.CharField(max_length=12)


class AccountDeleteForm(forms.Form):
    keep_text = forms.ChoiceField(
        label="What you wrote",
        choices=[("keep", "Keep it, shown as written by “a former resident”"),
                 ("remove", "Remove it")],
        widget=forms.RadioSelect,
        help_text="Your supports and follows are removed either way.")
    password = forms.CharField(label="Your password", widget=forms.PasswordInput,
                               help_text="To check it is you.")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not right.")
        return password


class RoleRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Your role",
        choices=[("officer", "Police officer or PCSO in a neighbourhood team"),
                 ("panel_member", "Ward panel member"), ("panel_chair", "Ward panel chair")],
        widget=forms.RadioSelect)
    area = forms.CharField(
        label="Where", max_length=64,
        help_text="Your ward’s name or code, or for officers your police.uk neighbourhood "
                  "(its page address, e.g. /neighbourhoods/metropolitan/E05013806N/, or force/id).")
