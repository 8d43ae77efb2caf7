"""A person's registrations, feedback and pulse answers in their download; on deletion the
registrations go and the answers stay in the counts without the account."""

from __future__ import annotations

import json

import pytest

from openbeat.events import services
from openbeat.events.models import Feedback, Registration
from openbeat.surveys.models import PulseAnswer
from openbeat.surveys.services import pulse_answer_create
from tests.events.conftest import NORTH, hold, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("keep_text", [True, False])
def test_export_and_delete(use_lake, officer, keep_text):
    from openbeat.accounts.services import account_delete, account_export

    u = make_user(home_ward_code=NORTH)
    e = hold(officer, days=-2)
    Registration.objects.create(event=e, user=u, status="confirmed", queued_at=e.created_at, attended=True)
    services.feedback_create(event=e, user=u, rating=4, fair="tend_to_agree", text="Useful evening")
    pulse_answer_create(user=u, trust="fair_amount", age_band="35-44", sex="male")
    data = json.loads(json.dumps(account_export(user=u)))
    assert data["events"]["registrations"][0]["attended"] is True
    assert data["events"]["feedback"][0]["text"] == "Useful evening"
    assert data["trust_pulse"][0]["trust"] == "fair_amount"
    account_delete(user=u, keep_text=keep_text)
    assert Registration.objects.count() == 0
    f = Feedback.objects.get()
    assert f.user is None and f.fair == "tend_to_agree" and f.text == ("Useful evening" if keep_text else "")
    a = PulseAnswer.objects.get()
    assert (a.user, a.trust, a.age_band, a.sex) == (None, "fair_amount", "", "")
