from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "unstuck.web.portal"
    label = "portal"
    verbose_name = "Client questionnaires"
