"""How an imported history's episodes end, and its safety answers the clinic followed up.

`unstuck import` (`records.imports`) and the demo's loader share these:

- `endings_from`: an outcomes file (``client_id,ended``, as `unstuck team` and
  `unstuck fit-dropout` read it) matched with the history's clients, whatever the capitals of
  their codes; each listed ending is on the client's last session's date, booked or attended.
- `end_courses`: the episodes ended, each with an audit row; a client with a safety alert open
  stays open (ending it asks the therapist to confirm they considered the alert,
  `services.end_episode`, a step an import does not take for them).
- `followed_up`: on the clinic's word (`--safety-followed-up-before DATE`), the alerts of the
  history's answers given before a day are closed by a check saying they were followed up
  under the clinic's own procedure at the time, outside Unstuck.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import PurePath

import polars as pl

from unstuck.errors import Problem
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction
from unstuck.web.records.alerts import record_safety_check
from unstuck.web.records.import_rules import refused
from unstuck.web.records.models import CheckOutcome, Client, EndReason, Episode, SafetyAlert

NOT_IN_FILE = "is not a client of {source}: an outcomes file lists the clients imported"
LISTED_AGAIN = (
    "is the client of row {row} again (codes that differ only in capital letters are one "
    "client): list each client once"
)
# How an outcomes file's endings (`ENDINGS`) are recorded; ``ongoing`` stays open.
ENDED_AS = {
    "completed": EndReason.COMPLETED,
    "dropped_out": EndReason.DROPPED_OUT,
    "referred": EndReason.REFERRED,
}
FOLLOWED_UP = (
    "Recorded by the import of the clinic's history ({source}), on the clinic's word: safety "
    "answers given before {day:%Y-%m-%d} were followed up under the clinic's own procedure "
    "at the time, outside Unstuck. No check was recorded in Unstuck then."
)
Endings = Mapping[str, tuple[dt.date, str]]  # client code -> the day and `EndReason` it ended


def endings_from(
    frame: pl.DataFrame,
    outcomes: Mapping[str, tuple[int, str]],
    *,
    source: str,
    outcomes_source: str,
) -> dict[str, tuple[dt.date, str]]:
    """The episodes `outcomes` ends, each on its client's last date in `frame`; an
    `InvalidRows` of the outcomes file for a client the file does not have, or one listed
    twice. Codes match ignoring capital letters, as the clinic's codes do
    (`services.create_client`): an outcomes file written elsewhere may spell them otherwise."""
    last = dict(frame.group_by("client_id").agg(pl.col("date").max()).iter_rows())
    known = {code.casefold(): code for code in last}
    problems: list[Problem] = []
    first: dict[str, int] = {}
    out: dict[str, tuple[dt.date, str]] = {}
    for code, (row, ended) in outcomes.items():
        ours = known.get(code.casefold())
        if ours is None:
            why = NOT_IN_FILE.format(source=PurePath(source).name)
        elif ours in first:
            why = LISTED_AGAIN.format(row=first[ours])
        else:
            first[ours] = row
            if ended in ENDED_AS:
                out[ours] = (last[ours], ENDED_AS[ended])
            continue
        problems.append(Problem(row, "client_id", code, why))
    if problems:
        raise refused(outcomes_source, sorted(problems, key=lambda p: p.row or 0))
    return out


def followed_up(clients: Sequence[Client], before: dt.date, *, source: str, actor: str) -> int:
    """Close the open alerts of answers given before `before`, one check per client saying
    they were followed up outside Unstuck, on the clinic's word; how many were closed."""
    earlier = SafetyAlert.objects.filter(
        client__in=[c.pk for c in clients], safety_check__isnull=True, session_date__lt=before
    )
    by_client: dict[int, list[int]] = {}
    for client_id, alert_id in earlier.order_by("id").values_list("client_id", "id"):
        by_client.setdefault(client_id, []).append(alert_id)
    note = FOLLOWED_UP.format(source=source, day=before)
    for client in clients:
        if client.pk in by_client:
            record_safety_check(
                user=None,
                client=client,
                outcome=CheckOutcome.OTHER,
                note=note,
                alert_ids=by_client[client.pk],
                actor=actor,
                refresh=False,  # the import remakes every status together
            )
    return sum(len(ids) for ids in by_client.values())


def end_courses(
    clinic: int, endings: Endings, *, actor: str, source: str
) -> tuple[dict[int, str], tuple[str, ...]]:
    """End each listed client's episode of care on its day, as `EndReason` says, with an
    audit row naming `source`; the caller then remakes their statuses. A client with a
    safety alert open keeps the episode open (see the module's docstring). Returns the
    ended clients' ids with their reasons, and the codes kept open."""
    listed = Client.objects.filter(clinic_id=clinic, code__in=list(endings))
    alert_open = set(
        SafetyAlert.objects.filter(client__in=listed, safety_check__isnull=True).values_list(
            "client__code", flat=True
        )
    )
    ended: dict[int, str] = {}
    kept_open = []
    for client in listed.order_by("code"):
        ended_on, reason = endings[client.code]
        if client.code in alert_open:
            kept_open.append(client.code)
            continue
        Episode.objects.filter(client=client, ended_on__isnull=True).update(
            ended_on=ended_on, end_reason=reason
        )
        client.episode_ended_on = ended_on
        client.save(update_fields=["episode_ended_on"])
        ended[client.pk] = reason
        record_audit(
            None,
            AuditAction.END_EPISODE,
            client_code=client.code,
            detail=f"{EndReason(reason).label} on {ended_on:%Y-%m-%d}, as {source} says",
            username=actor,
        )
    return ended, tuple(kept_open)
