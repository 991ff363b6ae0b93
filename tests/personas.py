"""Constants and small helpers shared by the web and browser tests (the fixtures are in
conftest.py)."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "correct-horse-battery-staple"
PHQ9_MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # total 6
PHQ9_SEVERE = [3, 3, 3, 3, 2, 2, 2, 2, 0]  # total 20
FEEDBACK_GOOD = [9, 9, 9, 9]  # total 36


def make_admin(name: str, clinic: Any) -> Any:
    """An administrator with the administration screens' full rights (staff, superuser)."""
    from unstuck.web.accounts.models import Role, User
    from unstuck.web.accounts.services import audited_by_caller

    with audited_by_caller():  # there before the test: no audit rows of its creation
        user = User.objects.create_user(
            name, password=PASSWORD, clinic=clinic, role=Role.ADMINISTRATOR, is_staff=True
        )
        user.is_superuser = True
        user.save()
    return user


def visible_text(html: str) -> str:
    """What a reader sees: no tags, attributes, styles or scripts (codes may stay in classes)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)
