from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "unstuck.web.instruments"
    label = "instruments"
    verbose_name = "Instruments"
