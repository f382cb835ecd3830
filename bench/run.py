"""The bench: serves the platform as in production (gunicorn, production settings, persistent
database connections) on the demo data, on a free loopback port, and measures each page of
bench/targets.py with wrk, signed in as a demo member, interleaved with the bare view it is
compared with. Prints a table and writes bench/results/latest.json.

Run by ``make bench`` (which installs wrk and starts the embedded PostgreSQL first), or directly:
``.venv/bin/python bench/run.py --rounds 3 --duration 2``.
"""

import argparse
import http.client
import io
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from importlib import import_module, metadata
from pathlib import Path

from targets import BARE, BENCH_MEMBER, DATASETS, JOBS, PAGES, WORKER_JOBS, Job, Page

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LUA_REPORTER = BENCH_DIR / "wrk_report.lua"
HOST = "127.0.0.1"  # the bench never sends traffic anywhere else
GUNICORN_WORKERS = 2
STARTUP_TIMEOUT_S = 60
WARMUP_S = 2


class BenchError(Exception):
    """The bench cannot give trustworthy figures; the message says why."""


# --- Environment and Django -------------------------------------------------------------------


def bench_environment(port: int) -> dict[str, str]:
    """Production settings over plain http on the loopback. DATABASE_URL and REDIS_URL pass
    through when set; unset, the settings use the embedded PostgreSQL and a local cache."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ileanet.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        SITE_URL=f"http://{HOST}:{port}",
        DJANGO_SECURE_SSL_REDIRECT="False",
        DJANGO_CONN_MAX_AGE="60",
        ILEANET_BENCH_VIEWS="1",
        # One member fetches each page thousands of times a minute: lift the per-member limits.
        RATE_LIMIT_SEARCH="1000000/60",
        RATE_LIMIT_POST="1000000/60",
        # Its own static root, so collectstatic here never races a `make run` or a test run.
        DJANGO_STATIC_ROOT=str(BASE_DIR / ".data" / "bench" / "staticfiles"),
    )
    return env


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def prepare_demo_data() -> None:
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", interactive=False, verbosity=0)
    # seed_demo refuses production settings; the bench uses them on a developer's machine, to
    # measure pages as the demo accounts see them.
    with override_settings(IS_PRODUCTION=False):
        call_command("seed_demo", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    for make in DATASETS:
        make()


def sign_in(email: str):
    """The member and a session signed in as them, stored as allauth's password + TOTP sign-in
    would store it (the member gate asks that the session passed the second factor). seed_demo
    resets passwords, so this must come after it (the session carries the password's hash)."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.http import HttpRequest

    member = get_user_model().objects.get(email=email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = member._meta.pk.value_to_string(member)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    request = HttpRequest()
    request.session = session
    record_authentication(request, member, "password", email=member.email)
    totp = Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        record_authentication(request, member, "mfa", id=totp.pk, type=totp.type)
    session.save()
    return member, session


def session_cookie(session) -> dict[str, str]:
    from django.conf import settings

    return {settings.SESSION_COOKIE_NAME: session.session_key}


def resolve_path(page: Page) -> str:
    return page.path() if callable(page.path) else page.path


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "ileanet.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={GUNICORN_WORKERS}",
        "--error-logfile=-",
    ]
    # gunicorn 25 and later open a control socket at a fixed path, which two servers would share.
    if int(metadata.version("gunicorn").split(".")[0]) >= 25:
        command.append("--no-control-socket")
    return command


@contextmanager
def gunicorn(env: dict[str, str], port: int, log_path: Path):
    """gunicorn in its own process group, stopped (group and all) however the block ends."""
    with log_path.open("w") as log:
        server = subprocess.Popen(
            gunicorn_command(port),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_healthy(server, port, log_path)
            yield server
        finally:
            stop_process_group(server)


def stop_process_group(process: subprocess.Popen) -> None:
    for sig, grace_s in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until_healthy(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    status = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited ({server.returncode}):\n{tail(log_path)}")
        try:
            status, _headers = fetch(port, "/healthz", {})
        except OSError:
            status = None
        if status == 200:
            return
        time.sleep(0.25)
    raise BenchError(
        f"gunicorn not healthy after {STARTUP_TIMEOUT_S}s (/healthz: {status}):\n{tail(log_path)}"
    )


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- HTTP checks ------------------------------------------------------------------------------


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(port: int, path: str, cookies: dict[str, str]):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def verify(port: int, page: Page, path: str, cookies: dict[str, str]) -> None:
    """The page must answer 200 itself: a redirect (to sign-in, the charter, MFA set-up) would
    measure another page. Cookies set on the way (CSRF, the session once the member gate has
    recorded its checks) are kept, as a browser would, so wrk then sends the same ones."""
    status, headers = fetch(port, path, cookies)
    if status != 200:
        where = f" -> {headers['Location']}" if headers.get("Location") else ""
        raise BenchError(f"{page.name} ({path}) answered {status}{where}, not 200")
    for header in headers.get_all("Set-Cookie") or []:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            cookies[name] = morsel.value


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One page's wrk runs, merged: counts add up, latency histograms merge exactly."""

    requests: int = 0
    duration_us: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latency_us: Counter = field(default_factory=Counter)

    def add(self, run: dict) -> None:
        self.requests += run["requests"]
        self.duration_us += run["duration_us"]
        self.statuses.update(run["statuses"])
        self.errors.update(run["errors"])
        self.latency_us.update({int(us): count for us, count in run["latency_us"].items()})

    @property
    def requests_per_s(self) -> float:
        return self.requests / (self.duration_us / 1e6) if self.duration_us else 0.0

    def percentile_ms(self, percent: float) -> float:
        """Of every response's latency over all rounds."""
        return nearest_rank(self.latency_us, percent) / 1000


def nearest_rank(histogram: Counter, percent: float) -> float:
    """The smallest value with at least ``percent`` % of the counts at or below it."""
    total = sum(histogram.values())
    if not total:
        return math.nan
    rank = max(1, math.ceil(percent / 100 * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def wrk(url: str, cookies: dict[str, str], seconds: int, options: argparse.Namespace) -> dict:
    command = [
        "wrk",
        "-t",
        str(options.threads),
        "-c",
        str(options.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_REPORTER),
        "-H",
        f"Cookie: {cookie_header(cookies)}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    raise BenchError(f"wrk gave no result for {url} ({done.returncode}):\n{done.stderr}")


def measure(
    port: int,
    targets: list[tuple[Page, str]],
    cookies: dict[str, str],
    options: argparse.Namespace,
) -> dict[str, Measurement]:
    """Round after round, each target in turn, so drift (caches, other load on the machine)
    touches every page alike. A short unrecorded run first warms each one up."""
    urls = {page.name: f"http://{HOST}:{port}{path}" for page, path in targets}
    for page, _path in targets:
        wrk(urls[page.name], cookies, WARMUP_S, options)
    results = {page.name: Measurement() for page, _path in targets}
    for round_number in range(1, options.rounds + 1):
        print(f"  round {round_number}/{options.rounds}", flush=True)
        for page, _path in targets:
            results[page.name].add(wrk(urls[page.name], cookies, options.duration, options))
    for page, path in targets:
        measured = results[page.name]
        others = {status: n for status, n in measured.statuses.items() if status != "200"}
        if others or not measured.requests:
            raise BenchError(f"{page.name} ({path}) answered {others or 'nothing'} under load")
    return results


def time_job(job: Job, member) -> dict:
    """``repeat`` timed calls after one unrecorded call (imports, template compilation)."""
    job.run(member)
    durations_ms = Counter()
    for _ in range(job.repeat):
        start = time.perf_counter()
        job.run(member)
        durations_ms[(time.perf_counter() - start) * 1000] += 1
    total_ms = sum(ms * n for ms, n in durations_ms.items())
    return {
        "job": job.name,
        "runs": job.repeat,
        "runs_per_s": round(1000 * job.repeat / total_ms, 1),
        "p50_ms": round(nearest_rank(durations_ms, 50), 2),
        "p95_ms": round(nearest_rank(durations_ms, 95), 2),
    }


# --- Report -----------------------------------------------------------------------------------


def page_rows(targets: list[tuple[Page, str]], results: dict[str, Measurement]) -> list[dict]:
    bare_rps = results[BARE.name].requests_per_s
    return [
        {
            "page": page.name,
            "path": path,
            "requests": results[page.name].requests,
            "requests_per_s": round(results[page.name].requests_per_s, 1),
            "p50_ms": round(results[page.name].percentile_ms(50), 2),
            "p95_ms": round(results[page.name].percentile_ms(95), 2),
            "ratio_to_bare": round(results[page.name].requests_per_s / bare_rps, 3),
            "socket_errors": dict(+results[page.name].errors),
        }
        for page, path in targets
    ]


def print_table(title: str, columns: list[tuple[str, str, str]], rows: list[dict]) -> None:
    """``columns``: (heading, row key, format spec); the first column is left-aligned."""
    cells = [[format(row[key], spec) for _heading, key, spec in columns] for row in rows]
    widths = [
        max(len(heading), *(len(line[i]) for line in cells))
        for i, (heading, _key, _spec) in enumerate(columns)
    ]

    def line(values: list[str]) -> str:
        first, *rest = zip(values, widths, strict=True)
        return "  ".join([first[0].ljust(first[1]), *(v.rjust(w) for v, w in rest)])

    print(f"\n{title}")
    print(line([heading for heading, _key, _spec in columns]))
    print(line(["-" * width for width in widths]))
    for values in cells:
        print(line(values))


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def bounded(low: int, high: int):
        def parse(text: str) -> int:
            value = int(text)
            if not low <= value <= high:
                raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
            return value

        return parse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=bounded(1, 50), default=5, help="default: 5")
    parser.add_argument(
        "--duration", type=bounded(1, 60), default=3, help="seconds per page per round (3)"
    )
    parser.add_argument("--threads", type=bounded(1, 16), default=2, help="wrk threads (2)")
    parser.add_argument(
        "--connections", type=bounded(1, 256), default=8, help="wrk connections (8)"
    )
    return parser.parse_args(argv)


def run(options: argparse.Namespace) -> dict:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed (`make bench` installs it when run as root)")
    RESULTS_DIR.mkdir(exist_ok=True)
    port = free_port()
    env = bench_environment(port)
    print("Preparing the demo data (migrate, seed_demo, collectstatic)…", flush=True)
    django_setup(env)
    prepare_demo_data()
    targets = [(page, resolve_path(page)) for page in (BARE, *PAGES)]
    names = [page.name for page, _path in targets]
    if len(set(names)) != len(names):
        raise BenchError(f"page names must be unique: {names}")
    member, session = sign_in(BENCH_MEMBER)
    try:
        print(f"Serving with gunicorn ({GUNICORN_WORKERS} workers) on {HOST}:{port}", flush=True)
        with gunicorn(env, port, RESULTS_DIR / "gunicorn.log"):
            cookies = session_cookie(session)
            for page, path in targets:
                verify(port, page, path, cookies)
            print(
                f"Measuring {len(targets)} pages, {options.rounds} rounds of "
                f"{options.duration}s each (wrk -t{options.threads} -c{options.connections})",
                flush=True,
            )
            load_before = os.getloadavg()[0]
            results = measure(port, targets, cookies, options)
            load_after = os.getloadavg()[0]
            for page, path in targets:
                verify(port, page, path, cookies)
    finally:
        session.delete()

    import django

    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "setup": {
            "server": f"gunicorn, {GUNICORN_WORKERS} sync workers, production settings",
            "conn_max_age": int(env["DJANGO_CONN_MAX_AGE"]),
            "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded",
            "cache": "REDIS_URL" if os.environ.get("REDIS_URL") else "local memory",
            "member": BENCH_MEMBER,
            "wrk": {"threads": options.threads, "connections": options.connections},
            "rounds": options.rounds,
            "duration_s": options.duration,
            "cpus": os.cpu_count(),
            # Other work on the machine skews absolute figures (far less the ratios).
            "load_average_1min": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "python": platform.python_version(),
            "django": django.get_version(),
        },
        "pages": page_rows(targets, results),
        "jobs": [time_job(job, member) for job in JOBS],
        "worker_jobs": [measure_job(env) for measure_job in WORKER_JOBS],
    }


def main(argv: list[str] | None = None) -> int:
    # A polite stop (SIGTERM) unwinds like Ctrl-C, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    options = parse_args(argv)
    try:
        report = run(options)
    except BenchError as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    print_table(
        f"Pages, signed in as {BENCH_MEMBER} ({report['setup']['server']})",
        [
            ("page", "page", ""),
            ("requests/s", "requests_per_s", ".1f"),
            ("p50 ms", "p50_ms", ".2f"),
            ("p95 ms", "p95_ms", ".2f"),
            ("vs bare", "ratio_to_bare", ".2f"),
        ],
        report["pages"],
    )
    if report["jobs"]:
        print_table(
            "Jobs, in the bench process",
            [
                ("job", "job", ""),
                ("runs", "runs", "d"),
                ("runs/s", "runs_per_s", ".1f"),
                ("p50 ms", "p50_ms", ".2f"),
                ("p95 ms", "p95_ms", ".2f"),
            ],
            report["jobs"],
        )
    if report["worker_jobs"]:
        print_table(
            "Jobs through a real Celery worker",
            [
                ("job", "job", ""),
                ("items", "items", "d"),
                ("seconds", "seconds", ".2f"),
                ("items/s", "per_s", ".1f"),
                ("note", "note", ""),
            ],
            report["worker_jobs"],
        )
    setup = report["setup"]
    print(
        f"\nLoad average (1 min) before/after: {setup['load_average_1min']['before']:.2f}"
        f" / {setup['load_average_1min']['after']:.2f} on {setup['cpus']} CPUs"
    )
    for row in report["pages"]:
        if row["socket_errors"]:
            print(f"note: {row['page']}: socket errors {row['socket_errors']}")
    latest = RESULTS_DIR / "latest.json"
    latest.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWritten to {latest.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
