from django.urls import path

from samverkan.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("konto/logga-in/", views.login, name="login"),
    path("konto/logga-ut/", views.logout, name="logout"),
    path("konto/losenord/", views.password_change, name="password_change"),
    path("konto/losenord/klart/", views.password_change_done, name="password_change_done"),
    path("konto/inbjudningar/", views.invitations, name="invitations"),
    path(
        "konto/inbjudningar/<int:invitation_id>/svar/",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path("inbjudan/<str:token>/", views.invitation_link, name="invitation_link"),
    path("konto/sso/", oidc.start, name="oidc_start"),
    path("konto/sso/svar/", oidc.callback, name="oidc_callback"),
    path("konto/sso/koppla/", oidc.link_page, name="oidc_link"),
    path("konto/tvastegsverifiering/", views.two_factor_setup, name="two_factor"),
    path("konto/tvastegsverifiering/kod/", views.two_factor_verify, name="two_factor_verify"),
]
