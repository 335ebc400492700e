from django.urls import path

from . import views

app_name = "tipline"

urlpatterns = [
    path("telegram/<int:bot_id>/", views.telegram_webhook, name="telegram_webhook"),
]
