"""Open a safety alert for every positive safety answer stored before alerts existed.

Nothing is dropped for want of a record: such an answer was in the safety group before this
migration and stays there, now with an alert that a recorded check can close.
"""

from typing import Any

from django.db import migrations


def open_alerts(apps: Any, schema_editor: Any) -> None:
    from unstuck.web.records.instruments import instruments

    response_model = apps.get_model("records", "MeasureResponse")
    alert_model = apps.get_model("records", "SafetyAlert")
    client_model = apps.get_model("records", "Client")
    installed = instruments()
    touched: set[int] = set()
    db = schema_editor.connection.alias  # the database migrated, not always the default
    positive = (
        response_model.objects.using(db)
        .filter(safety_alert=True)
        .select_related("session__episode")
    )
    for response in positive.order_by("session__date", "id"):
        if response.instrument not in installed:
            continue
        session = response.session
        for item, answer in zip(
            installed[response.instrument].items, response.answers, strict=False
        ):
            if not item.safety or answer is None or answer <= 0:
                continue
            alert_model.objects.using(db).get_or_create(
                response=response,
                item=item.number,
                defaults={
                    "client_id": session.episode.client_id,
                    "session_number": session.number,
                    "session_date": session.date,
                    "instrument": response.instrument,
                    "answer": int(answer),
                },
            )
            touched.add(session.episode.client_id)
    for client in client_model.objects.using(db).filter(pk__in=touched):
        newest = (
            alert_model.objects.using(db)
            .filter(client=client)
            .order_by("-raised_at", "-id")
            .first()
        )
        client.safety_alert_at = newest.raised_at if newest else None
        client.status_rank = 0
        client.save(update_fields=["safety_alert_at", "status_rank"])


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_safety_alerts"),
        ("instruments", "0001_initial"),
    ]

    operations = [migrations.RunPython(open_alerts, migrations.RunPython.noop)]
