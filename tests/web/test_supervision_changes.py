"""Who supervises whom stays coherent on the account pages.

A supervisor could be made their own supervisor; and a supervisor made a therapist kept their
supervisees, whose pages then showed no supervisor (the choice lists supervisors only) while
the list of accounts still named one, and the next save of a supervisee's page dropped it
without anyone choosing to.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from test_admin_roles import change_form, change_url

from personas import make_admin
from unstuck.web.accounts.models import Role, User


@pytest.fixture
def admin_client(client: HttpClient, personas) -> tuple[HttpClient, User]:
    client.force_login(make_admin("root", personas.clinic))
    return client, User.objects.get(username="root")


def test_a_supervisor_cannot_be_their_own_supervisor(admin_client, personas) -> None:
    client, _ = admin_client
    supervisor = personas.supervisor
    refused = client.post(change_url(supervisor), change_form(supervisor, supervisor=supervisor.pk))
    assert refused.status_code == 200
    assert "jordan cannot be their own supervisor" in refused.content.decode()
    supervisor.refresh_from_db()
    assert supervisor.supervisor_id is None


def test_a_supervisor_keeps_the_role_while_anyone_is_supervised_by_them(
    admin_client, personas
) -> None:
    client, _ = admin_client
    supervisor, therapist, colleague = personas.supervisor, personas.therapist, personas.colleague
    refused = client.post(change_url(supervisor), change_form(supervisor, role=Role.THERAPIST))
    assert refused.status_code == 200
    assert (
        "jordan supervises alex, sam; give them another supervisor (or none) on their own "
        "pages before changing this role."
    ) in refused.content.decode()
    supervisor.refresh_from_db()
    assert supervisor.role == Role.SUPERVISOR

    for supervisee in (therapist, colleague):
        moved = client.post(change_url(supervisee), change_form(supervisee, supervisor=""))
        assert moved.status_code == 302
    changed = client.post(change_url(supervisor), change_form(supervisor, role=Role.THERAPIST))
    assert changed.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.role == Role.THERAPIST
