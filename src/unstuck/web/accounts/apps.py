from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unstuck.web.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"
