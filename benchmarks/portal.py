"""Server time and weight of the client's questionnaire pages (PHQ-9 + GAD-7 by a link).

Builds a throwaway SQLite database in a temporary folder with synthetic clients (10 sessions
each) for one therapist, then walks the client's whole path through Django's test client
(the whole request: middleware, session, queries, template) once per client: the link, the
start page, PHQ-9 (shown, sent), GAD-7 (shown, sent: stored in the record and the status
recomputed), the thank-you page. Prints the median and p95 server time of each page and of
all of them together, and each page's weight in bytes (HTML, and the one CSS and one JS file).

    .venv/bin/python benchmarks/portal.py [--clients 200] [--rounds 60]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PHQ9 = [1, 1, 1, 1, 1, 1, 0, 0, 0]
GAD7 = [1, 1, 1, 0, 0, 0, 0]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["UNSTUCK_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "unstuck.web.settings"
        os.environ["UNSTUCK_ALLOWED_HOSTS"] = "testserver"
        import django

        django.setup()
        from django.test import Client
        from django.utils import timezone

        from unstuck.synth import ClinicParameters, generate_long_table
        from unstuck.web import commands
        from unstuck.web.accounts.models import Clinic, Role, User
        from unstuck.web.demo import load_observations
        from unstuck.web.portal import services
        from unstuck.web.records.models import Client as Record

        commands.migrate()
        clinic = Clinic.objects.create(name="Benchmark clinic (synthetic)", synthetic=True)
        therapist = User.objects.create_user("bench", clinic=clinic, role=Role.THERAPIST)
        table = generate_long_table(ClinicParameters(clients=args.clients, seed=11))
        load_observations(table.observations, [therapist])
        records = list(Record.objects.order_by("code")[: args.rounds])
        print(
            f"{args.clients} synthetic clients loaded; {len(records)} client walks", file=sys.stderr
        )

        times: dict[str, list[float]] = defaultdict(list)
        sizes: dict[str, int] = {}

        def timed(
            name: str, http: Client, method: str, path: str, data: dict[str, str] | None = None
        ) -> str:
            t0 = time.perf_counter()
            response = getattr(http, method)(path, data or {})
            times[name].append((time.perf_counter() - t0) * 1000)
            assert response.status_code in (200, 302), (name, response.status_code)
            if response.status_code == 200:
                sizes[name] = len(response.content)
                return ""
            return str(response["Location"])

        for index, record in enumerate(records):
            _, secret = services.create_request(
                user=therapist,
                client=record,
                instrument_ids=["phq9", "gad7"],
                session_number=record.sessions_count + 1,
                timing="before",
                now=timezone.now(),
            )
            http = Client(REMOTE_ADDR=f"10.0.{index // 250}.{index % 250}")
            timed("link (redirect)", http, "get", f"/q/{secret}/")
            timed("start page", http, "get", "/answer/")
            timed("PHQ-9 page", http, "get", "/answer/1/")
            timed(
                "PHQ-9 sent",
                http,
                "post",
                "/answer/1/",
                {f"item_{i + 1}": str(a) for i, a in enumerate(PHQ9)},
            )
            timed("GAD-7 page", http, "get", "/answer/2/")
            timed(
                "GAD-7 sent (stored)",
                http,
                "post",
                "/answer/2/",
                {f"item_{i + 1}": str(a) for i, a in enumerate(GAD7)},
            )
            timed("thank-you page", http, "get", "/answer/done/")

        everything = [t for values in times.values() for t in values]
        print(f"server time of the client's pages, {len(records)} walks (ms):")
        for name, values in times.items():
            print(f"  {name:<22} median {statistics.median(values):6.1f}   p95 {p95(values):6.1f}")
        mid, top = statistics.median(everything), p95(everything)
        label = "all portal requests"
        print(f"  {label:<22} median {mid:6.1f}   p95 {top:6.1f}   ({len(everything)} requests)")
        static = Path(__file__).resolve().parents[1] / "src/unstuck/web/portal/static/portal"
        assets = {p.name: p.read_bytes() for p in sorted(static.iterdir())}
        asset_bytes = sum(len(b) for b in assets.values())
        asset_gzip = sum(len(gzip.compress(b)) for b in assets.values())
        print(
            "page weight (bytes of HTML; every page also loads portal.css + portal.js, "
            f"{asset_bytes:,} bytes, {asset_gzip:,} gzipped, cached after the first page):"
        )
        for name, size in sizes.items():
            print(f"  {name:<22} {size:6,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
