"""Load on the production server: 20 therapists, 1,000 synthetic clients, PostgreSQL.

Starts `unstuck serve` (gunicorn) on 127.0.0.1 over a fresh PostgreSQL database, loads 1,000
synthetic clients (the demo's generator, 10 sessions each) for 20 therapists, then runs 10, 30
and 60 concurrent virtual therapists, each for a fixed time, in a closed loop with no pause:
caseload -> a client's page -> the session form -> save a session (with `--think S`, each
therapist pauses about S seconds after each page, as a person reading it). Prints throughput and
p50/p95/p99 per page and level, then checks that every save the server acknowledged (302) is
stored exactly once (each carries a unique note). Real HTTP, 127.0.0.1 only.

    .venv/bin/python benchmarks/load.py [--database-url postgresql://postgres@127.0.0.1:5432/unstuck_load]
        [--levels 10,30,60] [--seconds 30] [--workers N] [--threads 1] [--think 0] [--reuse]

Goal (issue 15): p95 under 300 ms at 30 concurrent therapists, 0 errors.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from live import Browser, _admin, free_port, wait_until_serving  # the tests' HTTP helpers

PASSWORD = "load-test-password-2026"
UNSTUCK = str(Path(sys.executable).with_name("unstuck"))
SEED = """
import json, sys
from unstuck.web import commands
commands.setup()
commands.migrate()
from unstuck.synth import ClinicParameters, generate_long_table
from unstuck.web.accounts.models import Clinic, Role, User
from unstuck.web.demo import load_observations
from unstuck.web.records.models import Client
clients, therapists, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if not Clinic.objects.exists():
    clinic = Clinic.objects.create(name="Load test clinic (synthetic)", synthetic=True)
    people = [
        User.objects.create_user(f"load{i:02}", password=password, clinic=clinic,
                                 role=Role.THERAPIST)
        for i in range(therapists)
    ]
    table = generate_long_table(ClinicParameters(clients=clients, seed=15))
    def progress(done, total):
        if done % 100 == 0:
            print(f"  loaded {done}/{total} clients", file=sys.stderr, flush=True)
    load_observations(table.observations, people, progress=progress)
out = {u.username: list(Client.objects.filter(therapist=u).values_list("pk", flat=True))
       for u in User.objects.filter(role=Role.THERAPIST).order_by("username")}
print(json.dumps(out))
"""
PAGES = ("caseload", "client page", "session form", "session save")


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU of the server and its worker processes (Linux /proc), so the figures
    say what each request costs even when other work shares the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def seed(env: dict[str, str], clients: int, therapists: int) -> dict[str, list[int]]:
    import json

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", SEED, str(clients), str(therapists), PASSWORD],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    print(f"database ready in {time.perf_counter() - started:.0f} s", flush=True)
    result: dict[str, list[int]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_level(
    url: str,
    caseloads: dict[str, list[int]],
    users: int,
    seconds: float,
    cpu: Callable[[], float],
    think: float = 0.0,
) -> tuple[dict[str, list[float]], dict[str, int], list[str], float, float]:
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    acknowledged: list[str] = []
    lock = threading.Lock()
    names = sorted(caseloads)
    browsers = []
    for i in range(users):
        b = Browser(url)
        b.login(names[i % len(names)], PASSWORD)
        browsers.append((b, caseloads[names[i % len(names)]]))
    stop_at = 0.0
    barrier = threading.Barrier(users + 1)
    mine = threading.local()  # each therapist's own random numbers

    def timed(
        page: str, b: Browser, path: str, data: dict[str, str] | None = None
    ) -> tuple[bool, str]:
        t0 = time.perf_counter()
        try:
            status, _, body = b.request(path, data)
        except OSError:
            status, body = 0, ""
        elapsed = (time.perf_counter() - t0) * 1000
        ok = status == (302 if data is not None else 200)
        with lock:
            times[page].append(elapsed)
            if not ok:
                errors[page] += 1
        if think:  # reading the page, or typing the form, before the next click
            time.sleep(mine.rng.uniform(0.5 * think, 1.5 * think))
        return ok, body

    def user(b: Browser, own: list[int], seed: int) -> None:
        rng = mine.rng = random.Random(seed)
        barrier.wait()
        if think:  # people do not all click at the same instant: start at random
            time.sleep(rng.uniform(0, think))
        while time.perf_counter() < stop_at:
            timed("caseload", b, "/")
            client = rng.choice(own)
            timed("client page", b, f"/clients/{client}/")
            _, form = timed("session form", b, f"/clients/{client}/sessions/new/")
            if not form:
                continue
            found = re.search(r'name="submit_token" value="([^"]+)"', form)
            note = f"load-{uuid.uuid4().hex}"
            data = {
                "date": time.strftime("%Y-%m-%d"),
                "attendance": "attended",
                "completed_by": "client",
                "note": note,
            }
            if found:  # a version without form tokens still saves (for comparison runs)
                data["submit_token"] = found.group(1)
            saved, _ = timed("session save", b, f"/clients/{client}/sessions/new/", data)
            if saved:
                with lock:
                    acknowledged.append(note)

    threads = [
        threading.Thread(target=user, args=(b, own, i)) for i, (b, own) in enumerate(browsers)
    ]
    for t in threads:
        t.start()
    stop_at = time.perf_counter() + seconds
    started = time.perf_counter()
    cpu_before = cpu()
    barrier.wait()
    for t in threads:
        t.join()
    return times, errors, acknowledged, time.perf_counter() - started, cpu() - cpu_before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/unstuck_load"
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--therapists", type=int, default=20)
    parser.add_argument("--levels", default="10,30,60")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1, help="as `unstuck serve --threads`")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds each therapist pauses after a page, on average (uniform 0.5-1.5x); "
        "default 0: a closed loop with no pause, the heaviest load",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument(
        "--dev", action="store_true", help="serve with `unstuck serve --dev` (one process)"
    )
    args = parser.parse_args()
    parts = urllib.parse.urlsplit(args.database_url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("the benchmark runs on 127.0.0.1 only")
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    if not args.reuse:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with contextlib.suppress(Exception):  # it exists already (--reuse)
        _admin(admin, f'CREATE DATABASE "{name}"')
    env = dict(os.environ)
    env["DATABASE_URL"] = args.database_url
    env.setdefault("UNSTUCK_DATA_DIR", tempfile.mkdtemp(prefix="unstuck-load-"))
    caseloads = seed(env, args.clients, args.therapists)
    print(
        f"{sum(len(v) for v in caseloads.values())} clients, {len(caseloads)} therapists",
        flush=True,
    )
    port = free_port()
    command = [UNSTUCK, "serve", "--port", str(port), "--threads", str(args.threads)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.dev:
        command += ["--dev"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        assert server.stdout is not None
        print(server.stdout.readline().strip(), flush=True)
        wait_until_serving(server, url, 60)
        all_acknowledged: list[str] = []
        total_errors = 0
        header = f"{'users':>5} {'page':<13} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7}"
        print(f"\n{header} {'p99 ms':>7} {'errors':>6}")
        for level in [int(x) for x in args.levels.split(",")]:
            times, errors, acked, elapsed, cpu = run_level(
                url,
                caseloads,
                level,
                args.seconds,
                lambda: server_cpu_seconds(server.pid),
                args.think,
            )
            all_acknowledged += acked
            count = sum(len(v) for v in times.values())
            for page in PAGES:
                t = times.get(page, [])
                if not t:
                    continue
                total_errors += errors.get(page, 0)
                print(
                    f"{level:>5} {page:<13} {len(t):>8} {statistics.median(t):>7.0f} "
                    f"{percentile(t, 0.95):>7.0f} {percentile(t, 0.99):>7.0f} "
                    f"{errors.get(page, 0):>6}"
                )
            print(
                f"{level:>5} {'all pages':<13} {count:>8}  {count / elapsed:.0f} requests/s, "
                f"server CPU {1000 * cpu / max(count, 1):.0f} ms per request"
            )
        import psycopg

        with psycopg.connect(args.database_url) as conn:
            rows = conn.execute(
                "SELECT note, count(*) FROM records_session WHERE note LIKE 'load-%%' GROUP BY note"
            ).fetchall()
        stored = dict(rows)
        missing = [n for n in all_acknowledged if n not in stored]
        doubled = [n for n, c in stored.items() if c != 1]
        print(
            f"\nacknowledged saves: {len(all_acknowledged)}; stored exactly once: "
            f"{sum(1 for n in all_acknowledged if stored.get(n) == 1)}; missing: {len(missing)}; "
            f"stored more than once: {len(doubled)}; errors: {total_errors}"
        )
        return 0 if not missing and not doubled and total_errors == 0 else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
