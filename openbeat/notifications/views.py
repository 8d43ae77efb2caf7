from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from openbeat.notifications import services
from openbeat.notifications.emails import unsubscribe_user_id


@csrf_exempt  # RFC 8058: mail clients POST the link itself; the signed token is the authority
def unsubscribe(request, token: str):
    user_id = unsubscribe_user_id(token=token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    done = False
    if request.method == "POST":
        services.notifications_unsubscribe(user=user)
        done = True
    return render(request, "notifications/unsubscribe.html", {"done": done, "token": token})
