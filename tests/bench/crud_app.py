"""The plain CRUD yardstick for intake (issue 17, item 4): what a typical Flask + SQLAlchemy ORM
endpoint does to take a lead in: one lead INSERT, one audit INSERT, one RQ enqueue, one commit.
Served by gunicorn with the same settings as Leadline and the bare endpoint."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from redis import Redis
from rq import Queue
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class CrudLead(Base):
    __tablename__ = "bench_crud_leads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CrudAudit(Base):
    __tablename__ = "bench_crud_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("bench_crud_leads.id"))
    action: Mapped[str] = mapped_column(String(60))
    after: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


engine = create_engine(os.environ["DATABASE_URL"], pool_size=8)
Base.metadata.create_all(engine)
jobs = Queue("bench_crud", connection=Redis.from_url(os.environ["REDIS_URL"]))
app = Flask(__name__)


@app.post("/leads")
def create_lead():
    body = request.get_json()
    moment = datetime.now(UTC)
    with Session(engine) as session:
        lead = CrudLead(
            contact_name=body["contact_name"],
            phone=body.get("phone"),
            source=body.get("source"),
            created_at=moment,
        )
        session.add(lead)
        session.flush()
        session.add(
            CrudAudit(lead_id=lead.id, action="lead.created", after=body, created_at=moment)
        )
        session.commit()
        lead_id = lead.id
    jobs.enqueue("builtins.print", lead_id)  # never run: the bench only measures the enqueue
    return jsonify({"id": lead_id}), 201
