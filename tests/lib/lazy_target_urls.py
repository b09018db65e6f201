"""A URLconf that tests/lib/test_lazy.py includes lazily: importing it is what it watches."""

from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("hello")


hello.access = "public"  # type: ignore[attr-defined]
urlpatterns = [path("hello/", hello, name="hello")]
