"""Run the benchmarks and print their figures.

    .venv/bin/python -m tests.bench                # everything, SQLite file + embedded Redis
    .venv/bin/python -m tests.bench queue --leads 1000000
    .venv/bin/python -m tests.bench deadlines --deadlines 10000 --workers 2
    .venv/bin/python -m tests.bench imports --rows 100000
    .venv/bin/python -m tests.bench telecom --customers 1000000
    .venv/bin/python -m tests.bench reports --leads 1000000
    BENCH_DATABASE_URL=sqlite:////tmp/reports.sqlite3 .venv/bin/python -m tests.bench \
        reports --leads 100000 --reuse   # seeds once, then measures the same rows again
    .venv/bin/python -m tests.bench memory [--web-workers N]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench .venv/bin/python \
        -m tests.bench

The database named by BENCH_DATABASE_URL is emptied first (with --reuse the reports'
benchmark keeps it when it holds the asked number of leads): never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tests import support


def _app(tmp: Path, redis_url: str, reuse: bool = False):
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    app = support.build_app(database, redis_url, tmp / "instance")
    if reuse:
        support.migrate(app)  # up to the latest migration, the rows kept
    else:
        support.migrate_fresh(app)
    return app, database


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=["all", "queue", "intake", "deadlines", "imports", "telecom", "reports", "memory"],
    )
    parser.add_argument("--leads", type=int, default=1_000_000, help="queue: the large size")
    parser.add_argument("--requests", type=int, default=2_000, help="intake: requests per side")
    parser.add_argument("--deadlines", type=int, default=10_000, help="deadlines: how many")
    parser.add_argument("--workers", type=int, default=2, help="deadlines: worker processes")
    parser.add_argument("--rows", type=int, default=100_000, help="imports: rows in the CSV")
    parser.add_argument(
        "--customers", type=int, default=1_000_000, help="telecom: the customer base's size"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reports: measure the rows an earlier --reuse run seeded in BENCH_DATABASE_URL",
    )
    parser.add_argument(
        "--web-workers", type=int, default=None, help="memory: `leadline up --workers`"
    )
    args = parser.parse_args()
    if args.which in ("all", "memory"):
        from tests.bench import memory

        print("Memory held by `leadline up` (SQLite, embedded Redis):", flush=True)
        memory.report(memory.run(args.web_workers))
        if args.which == "memory":
            return
    with (
        tempfile.TemporaryDirectory(prefix="leadline-bench-") as tmp,
        support.redis_url() as redis_url,
    ):
        if args.which in ("all", "intake"):
            from tests.bench import intake_throughput

            app, database = _app(Path(tmp) / "intake", redis_url)
            print(f"Intake throughput ({database.split(':')[0]}):", flush=True)
            intake_throughput.report(intake_throughput.run(app, database, redis_url, args.requests))
        if args.which in ("all", "queue"):
            from tests.bench import queue_latency

            app, database = _app(Path(tmp) / "queue", redis_url)
            print(f"Queue fragment latency ({database.split(':')[0]}):", flush=True)
            for size, figures in queue_latency.run(app, args.leads).items():
                print(
                    f"  {size:>6} leads: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f}"
                    f" ms, max {figures['max']:.1f} ms, {figures['statements']} SQL statements"
                    " per render",
                    flush=True,
                )
        if args.which in ("all", "deadlines"):
            from tests.bench import deadlines

            app, database = _app(Path(tmp) / "deadlines", redis_url)
            kind = database.split(":")[0]
            print(f"Deadlines fired by workers ({kind}):", flush=True)
            figures = deadlines.run(app, database, redis_url, args.deadlines, args.workers)
            deadlines.report(figures, kind)
        if args.which in ("all", "imports"):
            from tests.bench import imports

            app, database = _app(Path(tmp) / "imports", redis_url)
            print(f"CSV import end to end ({database.split(':')[0]}):", flush=True)
            imports.report(imports.run(app, database, redis_url, args.rows), database.split(":")[0])
        if args.which in ("all", "telecom"):
            from tests.bench import telecom_offers

            app, database = _app(Path(tmp) / "telecom", redis_url)
            print(f"Telecom offers for a CTN ({database.split(':')[0]}):", flush=True)
            telecom_offers.report(telecom_offers.run(app, args.customers), args.customers)
        if args.which in ("all", "reports"):
            from tests.bench import reports

            app, database = _app(Path(tmp) / "reports", redis_url, args.reuse)
            print(f"Reports over a year ({database.split(':')[0]}):", flush=True)
            figures = reports.run(app, args.leads, args.reuse)
            if figures:
                reports.report(figures)


if __name__ == "__main__":
    main()
