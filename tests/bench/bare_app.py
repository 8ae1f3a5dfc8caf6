"""The yardstick for intake throughput: a bare WSGI endpoint doing one INSERT, nothing else."""

from __future__ import annotations

import json
import os

from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert

engine = create_engine(os.environ["DATABASE_URL"], pool_size=8)
metadata = MetaData()
bare = Table("bench_bare", metadata, Column("id", Integer, primary_key=True), Column("body", Text))
metadata.create_all(engine)


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode()
    with engine.begin() as connection:
        new_id = connection.execute(insert(bare).values(body=body)).inserted_primary_key[0]
    payload = json.dumps({"id": new_id}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
