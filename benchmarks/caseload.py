"""Server time of the caseload page for a therapist with 500 clients (goal: under 300 ms).

Builds a throwaway SQLite database in a temporary folder, loads 500 synthetic clients (10
sessions each, PHQ-9, GAD-7 and session feedback) for one therapist through the same code the
demo uses, then times the caseload view through Django's test client (the whole request:
middleware, session, query, template), after a warm-up.

    .venv/bin/python benchmarks/caseload.py [--clients 500] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["UNSTUCK_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "unstuck.web.settings"
        os.environ["UNSTUCK_ALLOWED_HOSTS"] = "testserver"  # the name Django's test client uses
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from unstuck.synth import ClinicParameters, generate_long_table
        from unstuck.web import commands
        from unstuck.web.accounts.models import Clinic, Role, User
        from unstuck.web.demo import load_observations

        commands.migrate()
        clinic = Clinic.objects.create(name="Benchmark clinic (synthetic)", synthetic=True)
        therapist = User.objects.create_user("bench", clinic=clinic, role=Role.THERAPIST)
        table = generate_long_table(ClinicParameters(clients=args.clients, seed=11))
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if done % 50 == 0 or done == total:
                print(f"\r  loading synthetic clients {done}/{total}", end="", file=sys.stderr)

        load_observations(table.observations, [therapist], progress=progress)
        print(
            f"\nloaded {args.clients} clients ({table.observations.height:,} rows) in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        http = Client()
        http.force_login(therapist)
        for _ in range(3):
            assert http.get("/").status_code == 200
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = http.get("/")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            http.get("/")
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(f"caseload page, {args.clients} clients, {args.repeat} requests:")
        print(
            f"  median {statistics.median(times):.1f} ms   p95 {p95:.1f} ms   "
            f"max {times[-1]:.1f} ms   (goal: under 300 ms)"
        )
        print(
            f"  {len(ctx.captured_queries)} SQL queries per request; "
            f"{len(response.content) / 1024:.0f} KB of HTML"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
