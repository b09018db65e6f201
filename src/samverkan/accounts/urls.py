from django.urls import path

from samverkan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("konto/logga-in/", views.login, name="login"),
    path("konto/logga-ut/", views.logout, name="logout"),
    path("konto/losenord/", views.password_change, name="password_change"),
    path("konto/losenord/klart/", views.password_change_done, name="password_change_done"),
]
