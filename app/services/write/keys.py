"""API keys: made once, stored as a SHA-256 digest, compared in constant time."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import ConflictError, DomainError, NotFoundError
from app.models import ApiKey
from app.models.types import utcnow

KEY_PREFIX = "src_"
SCOPES = ("editor", "admin")


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create(session: Session, name: str, scope: str) -> NewKey:
    if scope not in SCOPES:
        raise DomainError(f"scope: must be one of {', '.join(SCOPES)}")
    if session.exec(select(ApiKey).where(ApiKey.name == name)).first() is not None:
        raise ConflictError(
            f"name: a key named {name!r} already exists", title="Key name already taken"
        )
    # The visible part identifies the key in lists and logs; the 32 random bytes are the secret.
    public = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name, prefix=f"{KEY_PREFIX}{public}", secret_hash=_digest(secret), scope=scope
    )
    session.add(key)
    session.flush()
    return NewKey(key, secret)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def revoke(session: Session, name_or_prefix: str) -> ApiKey:
    key = session.exec(
        select(ApiKey).where((ApiKey.name == name_or_prefix) | (ApiKey.prefix == name_or_prefix))
    ).first()
    if key is None:
        raise NotFoundError(f"key: no key named {name_or_prefix!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
    return key


def authenticate(session: Session, secret: str) -> ApiKey | None:
    """The active key for ``secret``, or None. The lookup is by digest; the final comparison is
    constant-time so a near miss takes as long as a hit."""
    digest = _digest(secret)
    key = session.exec(select(ApiKey).where(ApiKey.secret_hash == digest)).first()
    if (
        key is None
        or not hmac.compare_digest(key.secret_hash, digest)
        or key.revoked_at is not None
    ):
        return None
    return key
