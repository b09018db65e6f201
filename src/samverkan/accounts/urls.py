from django.urls import path

from samverkan.accounts import views

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
]
