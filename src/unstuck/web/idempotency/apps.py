from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "unstuck.web.idempotency"
    label = "idempotency"
    verbose_name = "Form submissions"
