"""Safety alerts in the record: raised by a positive answer, closed by a recorded check.

Each write is in its caller's transaction (raising) or its own (the check), with its audit
entry; the answers and the check's note are never logged. `safety` holds their words.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from unstuck.errors import InvalidValue
from unstuck.web.accounts.audit import CLIENT_ACTOR, choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.records import safety
from unstuck.web.records.instruments import instrument_name, instruments
from unstuck.web.records.models import (
    CheckOutcome,
    Client,
    MeasureResponse,
    SafetyAlert,
    SafetyCheck,
    SessionRevision,
)
from unstuck.web.records.snapshots import refresh_status


def raise_safety_alerts_for(
    response: MeasureResponse, *, user: User | None, actor: str = CLIENT_ACTOR
) -> list[SafetyAlert]:
    """Open one safety alert per safety item the stored `response` answers above 0.

    Call it inside the transaction that saves the response (the session form does; so must
    any other way answers arrive, such as a client answering on their own, or a correction),
    then `refresh_status`. Whether a questionnaire raises an alert is the scoring rule's call
    (`MeasureResponse.safety_alert`); this finds which items did. Calling it twice for the
    same response opens no second alert, and an item with an open alert gets none (that alert
    says what the answer was corrected to). Once every alert of an item is checked, a
    correction that puts the answer above the value the checks covered opens a new one, saying
    so: without it the graver answer waited for nobody. `user` is the person whose save raised
    it, for the audit log (None: the client answering on their own, or a command such as
    `unstuck import`, named by `actor`); the answer itself is never logged.
    """
    if not response.safety_alert:
        return []
    installed = instruments()
    if response.instrument not in installed:
        return []
    instrument = installed[response.instrument]
    session = response.session
    client = session.episode.client
    raised: list[SafetyAlert] = []
    for item, answer in zip(instrument.items, response.answers, strict=False):
        if not item.safety or answer is None or answer <= 0:
            continue
        earlier = list(
            SafetyAlert.objects.filter(response=response, item=item.number).select_related(
                "safety_check"
            )
        )
        if any(a.is_open for a in earlier):
            continue
        covered = max(((_covered(a), a) for a in earlier), key=lambda pair: pair[0], default=None)
        if covered is not None and answer <= covered[0]:
            continue
        alert = SafetyAlert.objects.create(
            client=client,
            response=response,
            session_number=session.number,
            session_date=session.date,
            instrument=instrument.id,
            item=item.number,
            answer=int(answer),
            corrected_from=covered[0] if covered else None,
            after_check=covered[1].safety_check if covered else None,
        )
        record_audit(
            user,
            AuditAction.SAFETY_ALERT_RAISED,
            client_code=client.code,
            detail=alerts_detail([alert]),
            username=actor,
        )
        raised.append(alert)
    return raised


def _covered(alert: SafetyAlert) -> int:
    """The highest value a checked alert's check covered: the answer that raised it, or the one
    a correction had put in its place when the check was recorded (the alert said so)."""
    assert alert.safety_check is not None
    after = (
        SessionRevision.objects.filter(
            session_id=alert.response.session_id,
            changed_at__gt=alert.safety_check.checked_at,
        )
        .order_by("changed_at", "id")
        .first()
    )
    if after is None:  # no correction since the check: the record holds what it showed
        then = safety.answer_now(alert)
    else:  # the first correction since keeps the answers as they were at the check
        answers = after.previous.get("answers", {}).get(alert.instrument, [])
        then = safety.item_value(alert.instrument, alert.item, answers)
    return max(alert.answer, then or 0)


@transaction.atomic
def record_safety_check(
    *,
    user: User | None,
    client: Client,
    outcome: str,
    note: str = "",
    alert_ids: Sequence[int] | None = None,
    actor: str = "",
    refresh: bool = True,
) -> SafetyCheck:
    """Record that the therapist checked in about safety; it closes the open alerts it covers.

    `alert_ids` are the alerts the therapist saw when recording (None: every open alert), so
    an answer that arrives meanwhile stays open. The client leaves the safety group unless an
    alert is still open; the alerts and the check stay on the client page and in the audit
    log (the outcome, never the note). Without a `user`, `actor` names who recorded it (an
    import, on the clinic's word); `refresh` False leaves the status to a caller that remakes
    many together.

    Raises
    ------
    InvalidValue
        For an unknown outcome, 'other' without a note, or no open alert to close.
    """
    if outcome not in CheckOutcome.values:
        raise InvalidValue("outcome", outcome, "is not an outcome of a safety check")
    if outcome == CheckOutcome.OTHER and not note.strip():
        raise InvalidValue("note", note, safety.OTHER_NEEDS_NOTE)
    alerts = client.safety_alerts.select_for_update().filter(safety_check__isnull=True)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=list(alert_ids))
    closing = list(alerts.order_by("raised_at", "id"))
    if not closing:
        raise InvalidValue("alerts", list(alert_ids or []), safety.NO_OPEN_ALERT)
    check = SafetyCheck.objects.create(
        client=client, outcome=outcome, note=note.strip(), checked_by=user
    )
    SafetyAlert.objects.filter(pk__in=[a.pk for a in closing]).update(safety_check=check)
    if refresh:
        refresh_status(client)
    record_audit(
        user,
        AuditAction.SAFETY_CHECK_RECORDED,
        client_code=client.code,
        detail=f"{choice_label(CheckOutcome, outcome)}; closes {alerts_detail(closing)}",
        username=actor,
    )
    return check


def alerts_detail(alerts: Sequence[SafetyAlert]) -> str:
    """Where the alerts came from, for the audit log: sessions and items, never the answers."""
    return "; ".join(
        f"session {a.session_number} ({a.session_date:%Y-%m-%d}) "
        f"{instrument_name(a.instrument)} item {a.item}"
        for a in alerts
    )
