"""The client's side of the demo: one ready questionnaire link and one kiosk code.

Printed by `unstuck demo` with the logins, so a newcomer can open the link in a phone-sized
window at once. Addresses are on the reserved ``example.invalid`` domain; the demo's email goes
to files in the data folder (``UNSTUCK_EMAIL_DIR``), never to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from unstuck.web.accounts.models import User
from unstuck.web.portal import services, tokens
from unstuck.web.portal.models import Timing
from unstuck.web.records.models import Client


@dataclass(frozen=True)
class DemoPortal:
    client_code: str
    link: str
    kiosk_code: str


def demo_portal(*, therapist_username: str, origin: str) -> DemoPortal:
    therapist = User.objects.get(username=therapist_username)
    if not therapist.email:
        therapist.email = f"{therapist.username}@example.invalid"
        therapist.save(update_fields=["email"])
    client = (
        Client.objects.filter(therapist=therapist, status_rank__gt=0, episode_ended_on__isnull=True)
        .order_by("status_rank", "code")
        .first()
    )
    assert client is not None, "the demo clinic has clients"
    client.contact = f"{client.code.lower()}@example.invalid"
    client.save(update_fields=["contact"])
    now = timezone.now()
    # The client's next session: PHQ-9 and GAD-7 before it by the link, session feedback
    # after it on the tablet; both go to the one session (feedback on a session already
    # recorded, which has its feedback, was put on a session of its own that never was).
    upcoming = client.sessions_count + 1
    _request, secret = services.create_request(
        user=therapist,
        client=client,
        instrument_ids=["phq9", "gad7"],
        session_number=upcoming,
        timing=Timing.BEFORE,
        now=now,
    )
    assert secret is not None  # shown, not emailed
    kiosk_request, _ = services.create_request(
        user=therapist,
        client=client,
        instrument_ids=["session_feedback"],
        session_number=upcoming,
        timing=Timing.AFTER,
        now=now,
    )
    code = services.new_kiosk_code(user=therapist, request=kiosk_request, now=now)
    return DemoPortal(
        client_code=client.code,
        link=services.link_url(secret, origin),
        kiosk_code=tokens.display_kiosk_code(code),
    )
