"""Login page: Swedish messages, a limit on failures, sessions that end."""

from django.conf import settings
from django.urls import reverse

from samverkan.accounts.models import LoginAttempt
from tests.factories import PASSWORD


def test_login_with_right_password_reaches_partnership_list(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("partnerships:list")
    assert world.ours.partnership.name in response.content.decode()


def test_wrong_password_gets_swedish_message_and_is_counted(client, world):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "fel"})
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.content.decode()
    assert LoginAttempt.objects.filter(username="alice").count() == 1


def test_login_is_refused_after_too_many_failures_even_with_right_password(client, world):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "fel"})
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_clears_earlier_failures(client, world):
    client.post(reverse("accounts:login"), {"username": "alice", "password": "fel"})
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert not LoginAttempt.objects.filter(username="alice").exists()


def test_sessions_expire_after_a_working_day_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_logout_requires_post_and_ends_session(client, world):
    client.force_login(world.alice)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_pages_are_in_english_when_english_is_chosen(client, world):
    client.force_login(world.alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("partnerships:list")).content.decode()
    assert "My partnerships" in page


def test_interface_is_swedish_even_when_the_browser_asks_for_english(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("partnerships:list"), headers={"accept-language": "en-US,en"})
    assert "Mina samverkan" in page.content.decode()
