"""Idempotency-Key on POST: the same key and body replay the first answer; another body is refused."""

import hashlib
import json
from typing import Any

from sqlmodel import Session, select

from app.errors import UnprocessableError
from app.models import IdempotencyRecord


def fingerprint(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def replay(
    session: Session, api_key_id: int, key: str, request_hash: str
) -> IdempotencyRecord | None:
    record = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
        )
    ).first()
    if record is not None and record.request_hash != request_hash:
        raise UnprocessableError(
            "Idempotency-Key: this key was already used with a different request; use a new key",
            errors=[{"field": "Idempotency-Key", "message": "used with a different request"}],
        )
    return record


def remember(
    session: Session,
    api_key_id: int,
    key: str,
    request_hash: str,
    status: int,
    headers: dict[str, str],
    body: str,
) -> None:
    session.add(
        IdempotencyRecord(
            api_key_id=api_key_id,
            key=key,
            request_hash=request_hash,
            status=status,
            headers=headers,
            body=body,
        )
    )
    session.flush()
