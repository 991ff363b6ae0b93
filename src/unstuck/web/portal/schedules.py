"""Per-client questionnaire schedules, which `unstuck send-due` follows.

A schedule makes a request for the client's next session (answers belong to a session, see
`records.services.record_client_answers`) and `send_due` emails it in the same run; the
reminder and the expiry are the clinic's (`PortalSettings`: 2 and 4 days unless changed), as for
any request. Never two requests "before" the same session: if one exists (made by hand or by
the schedule), the schedule waits for the next session.

- before every session: as soon as the next session has no request;
- weekly: the same, at most once in 7 days;
- on chosen dates: on each date that has come, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from unstuck.errors import InvalidValue
from unstuck.web.accounts.audit import choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.portal import pages, selectors
from unstuck.web.portal.models import Cadence, QuestionnaireRequest, QuestionnaireSchedule, Timing
from unstuck.web.portal.services import (
    SCHEDULER_ACTOR,
    _client_audit,
    check_can_ask,
    check_instruments,
)
from unstuck.web.records.models import Client
from unstuck.web.records.selectors import client_started_session, current_episode

WEEK = dt.timedelta(days=7)
NOT_A_CADENCE = "is not a schedule (before every session, weekly, on chosen dates, or none)"
NO_DATES = "Choose at least one date for a schedule on chosen dates."
NOT_A_DATE = "is not a date (YYYY-MM-DD)"
PAST_DATE = "is in the past: a link would be emailed at once. Choose dates from today on"


def _parse_dates(dates: Sequence[str | dt.date], today: dt.date) -> list[str]:
    """The chosen dates, each a real date from `today` on (a year typed wrong, 2025 for 2026,
    was saved and the link emailed at the next run)."""
    parsed: set[dt.date] = set()
    for value in dates:
        if isinstance(value, dt.date):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise InvalidValue("date", value, NOT_A_DATE) from None
        if day < today:
            raise InvalidValue("date", str(value), PAST_DATE)
        parsed.add(day)
    return [d.isoformat() for d in sorted(parsed)]


@transaction.atomic
def set_schedule(
    *,
    user: User,
    client: Client,
    cadence: str,
    instrument_ids: Sequence[str] = (),
    dates: Sequence[str | dt.date] = (),
    now: dt.datetime,
) -> QuestionnaireSchedule:
    """Set (or switch off, `Cadence.OFF`) the client's schedule; the audit names the choice."""
    if cadence not in Cadence.values:
        raise InvalidValue("cadence", cadence, NOT_A_CADENCE)
    chosen = list(dict.fromkeys(instrument_ids))
    days = _parse_dates(dates, timezone.localdate(now))
    if cadence != Cadence.OFF:
        check_instruments(chosen)
        check_can_ask(client, by_email=True)
    if cadence == Cadence.DATES and not days:
        raise InvalidValue("dates", "", NO_DATES)
    schedule, _ = QuestionnaireSchedule.objects.update_or_create(
        client=client,
        defaults={
            "cadence": cadence,
            "instruments": chosen,
            "dates": days if cadence == Cadence.DATES else [],
            "set_by": user,
            "set_at": now,
        },
    )
    names = ", ".join(pages.named(chosen))
    record_audit(
        user,
        AuditAction.PORTAL_SCHEDULE_SET,
        client_code=client.code,
        detail=choice_label(Cadence, cadence)
        + (f": {names}" if names else "")
        + (f" on {', '.join(days)}" if days else ""),
    )
    return schedule


def _wants_one(schedule: QuestionnaireSchedule, now: dt.datetime) -> bool:
    last = schedule.last_made_at
    if schedule.cadence == Cadence.BEFORE_EACH:
        return True
    if schedule.cadence == Cadence.WEEKLY:
        return last is None or last + WEEK <= now
    if schedule.cadence == Cadence.DATES:
        today = timezone.localdate(now)
        since = timezone.localdate(last) if last else None
        return any(
            dt.date.fromisoformat(d) <= today
            and (since is None or since < dt.date.fromisoformat(d))
            for d in schedule.dates
        )
    return False


def _plan_one(pk: int, now: dt.datetime) -> QuestionnaireRequest | None:
    with transaction.atomic():
        schedule = (
            QuestionnaireSchedule.objects.select_for_update()
            .select_related("client__clinic")
            .get(pk=pk)
        )
        client = schedule.client
        episode = current_episode(client)
        if episode is None or episode.ended_on is not None or not _wants_one(schedule, now):
            return None
        # The next session the therapist has not recorded yet: one the client started by
        # answering before it is still ahead, so its answers do not call for another link.
        started = client_started_session(episode)
        number = started.number if started is not None else client.sessions_count + 1
        taken = QuestionnaireRequest.objects.filter(
            client=client, session_number=number, timing=Timing.BEFORE
        ).exists()
        if schedule.cadence == Cadence.DATES:
            schedule.last_made_at = now  # the date is used up, made now or already asked for
            schedule.save(update_fields=["last_made_at"])
        if taken:
            return None
        expiry = selectors.portal_settings(client.clinic).expiry_days
        request = QuestionnaireRequest.objects.create(
            client=client,
            instruments=list(schedule.instruments),
            session_number=number,
            timing=Timing.BEFORE,
            expires_at=now + dt.timedelta(days=expiry),
            send_at=now,
        )
        schedule.last_made_at = now
        schedule.save(update_fields=["last_made_at"])
        _client_audit(
            AuditAction.PORTAL_REQUEST_CREATED,
            client,
            f"request {request.pk}: {choice_label(Timing, Timing.BEFORE).lower()} {number}, "
            f"by the schedule ({choice_label(Cadence, schedule.cadence).lower()})",
            actor=SCHEDULER_ACTOR,
        )
        return request


def plan_due(now: dt.datetime) -> list[int]:
    """Make the requests the schedules call for now (ids); `send_due` then emails them."""
    made = []
    for pk in QuestionnaireSchedule.objects.exclude(cadence=Cadence.OFF).values_list(
        "pk", flat=True
    ):
        request = _plan_one(pk, now)
        if request is not None:
            made.append(request.pk)
    return made
