from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "unstuck.web.records"
    label = "records"
    verbose_name = "Client records"
