"""The audit log page and its CSV download, for administrators only.

Entries can be narrowed by client code, by who acted (their user name), by what was done (the
vocabulary's plain labels) and by a range of days; the download holds the same entries as the
page's filters, every one of them, not one page. Reading the log and downloading it are each
an audit row naming the filters, so what an administrator looked at is on record too.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from unstuck.analysis.spreadsheet import SafeWriter
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import (
    ACCESS_GRANTS,
    AuditAction,
    AuditEntry,
    Role,
    User,
    signed_in,
)
from unstuck.web.downloads import content_disposition
from unstuck.web.validation import search_text

GRANTS_SHOWN = 20  # the latest changes to who can see clinical records, above the log
PER_PAGE = 100
CSV_COLUMNS = ("when", "who", "what", "client", "detail")
DATE_PROBLEM = "Write the {which} date as year-month-day, e.g. 2026-03-01; it was left out."


@dataclass(frozen=True)
class Filters:
    client: str = ""
    who: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if self.client:
            entries = entries.filter(client_code=self.client)
        if self.who:
            entries = entries.filter(username__iexact=self.who)
        if self.action:  # only a known action reaches the database (NUL bytes, see admin.py)
            known = self.action in AuditAction
            entries = entries.filter(action=self.action) if known else entries.none()
        if self.since:
            entries = entries.filter(at__date__gte=self.since)
        if self.until:
            entries = entries.filter(at__date__lte=self.until)
        return entries

    def query(self) -> str:
        """The filters as an address's query (for the next page and the download)."""
        pairs = {
            "client": self.client,
            "who": self.who,
            "action": self.action,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def described(self) -> str:
        """For the audit row: which entries were read ('' when all)."""
        label = str(AuditAction(self.action).label) if self.action in AuditAction else ""
        parts = [
            f"client {self.client}" if self.client else "",
            f"person {self.who}" if self.who else "",
            f"what: {label or self.action}" if self.action else "",
            f"from {self.since}" if self.since else "",
            f"to {self.until}" if self.until else "",
        ]
        return ", ".join(p for p in parts if p)


def _date(text: str, which: str, problems: list[str]) -> dt.date | None:
    text = search_text(text)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(DATE_PROBLEM.format(which=which))
        return None


def read_filters(request: HttpRequest) -> tuple[Filters, list[str]]:
    problems: list[str] = []
    filters = Filters(
        client=search_text(request.GET.get("client", "")),
        who=search_text(request.GET.get("who", ""))[:150],
        action=search_text(request.GET.get("action", ""))[:40],
        since=_date(request.GET.get("from", ""), "first", problems),
        until=_date(request.GET.get("to", ""), "last", problems),
    )
    return filters, problems


def _administrator(request: HttpRequest) -> User:
    user = signed_in(request)
    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    return user


def recent_grants() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        Q(action__in=[a.value for a in ACCESS_GRANTS])
        # Older entries: a password set for someone else (not the person's own change).
        | Q(action=AuditAction.CHANGE_PASSWORD) & ~Q(detail=F("username"))
    )[:GRANTS_SHOWN]


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    filters, problems = read_filters(request)
    record_audit(user, AuditAction.VIEW_AUDIT_LOG, detail=filters.described())
    entries = filters.apply(AuditEntry.objects.all())
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "query": filters.query(),
            "problems": problems,
            "actions": AuditAction.choices,
            "grants": recent_grants(),
        },
    )


@login_required
def audit_log_csv(request: HttpRequest) -> HttpResponseBase:
    """The entries the same filters show, every one, as a CSV file (no cell a formula)."""
    user = _administrator(request)
    filters, problems = read_filters(request)
    if problems:
        return HttpResponse(
            " ".join(problems), status=400, content_type="text/plain; charset=utf-8"
        )
    record_audit(user, AuditAction.EXPORT_AUDIT_LOG, detail=filters.described())
    entries = filters.apply(AuditEntry.objects.all())
    response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition("audit-log.csv", as_attachment=True)
    return response


def _csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries.iterator(chunk_size=2000):
        writer.writerow(
            [
                e.at.isoformat(timespec="seconds"),
                e.username,
                e.action_label,
                e.client_code,
                e.detail,
            ]
        )
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
