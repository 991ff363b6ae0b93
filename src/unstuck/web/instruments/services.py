"""Adding a clinic instrument: validated by the core loader, stored, audited, in one transaction."""

from __future__ import annotations

from django.db import transaction

from unstuck.errors import InvalidDefinition
from unstuck.measures import Instrument, parse_definition_text
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.instruments.models import ClinicInstrument
from unstuck.web.records.instruments import instruments, reload_instruments
from unstuck.web.validation import field_problem


@transaction.atomic
def add_clinic_instrument(*, user: User, filename: str, text: str) -> Instrument:
    """Check the definition against everything installed, then store it.

    Raises `InvalidDefinition` (naming the file and the place in it) for a bad definition or an
    id that is already taken; nothing is stored then.
    """
    instrument = parse_definition_text(text, filename)
    for field, value in (
        ("instrument_id", instrument.id),
        ("name", instrument.name),
        ("filename", filename),
    ):
        problem = field_problem(ClinicInstrument, field, value)
        if problem is not None:  # the same limits on SQLite, which would store it anyway
            where = {"instrument_id": "id", "name": "name", "filename": ""}[field]
            raise InvalidDefinition(filename[:100], where, problem.replace("instrument_id", "id"))
    instruments().with_instrument(instrument, filename)  # raises if the id is taken
    ClinicInstrument.objects.create(
        instrument_id=instrument.id,
        name=instrument.name,
        filename=filename,
        definition=text,
        uploaded_by=user,
    )
    # Its id too: two definitions may share a name ("Mood check"), never an id.
    detail = f"{instrument.name} (id {instrument.id}) from {filename}"
    record_audit(user, AuditAction.ADD_INSTRUMENT, detail=detail)
    transaction.on_commit(reload_instruments)
    return instrument
