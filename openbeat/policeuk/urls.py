from django.urls import re_path

from openbeat.policeuk.api import api, json_errors, no_such_method

# Every answer under /police-uk/api/ is JSON, errors too ({"error": …}): a method called with
# the wrong HTTP verb (405) and a path that is no method (404), which Django and Ninja would
# otherwise answer with a page of HTML.
urlpatterns = [*(json_errors(pattern) for pattern in api.urls[0]), re_path(r"^(?P<rest>.*)$", no_such_method)]
app_name = "policeuk"
