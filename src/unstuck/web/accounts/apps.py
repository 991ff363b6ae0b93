from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unstuck.web.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from unstuck.web.accounts import signals  # noqa: F401  (connects the audit receivers)
