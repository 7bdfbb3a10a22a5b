"""Who is writing: a Bearer key checked against its stored digest. Reads need no key."""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.db import unit_of_work
from app.errors import ForbiddenError, UnauthorizedError
from app.models import ApiKey
from app.services.write import keys

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An editor or admin key made with `sourced keys create`: `Authorization: Bearer src_...`.",
)

# One message for a missing, malformed, unknown or revoked key: the answer must not tell
# an attacker which of these it was.
_UNAUTHORIZED = "a valid API key is required: send `Authorization: Bearer <key>`"


def current_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiKey:
    key = None
    if credentials is not None and len(credentials.credentials) <= 200:
        # A short transaction of its own on the primary (a revoked key fails at once) that hands
        # its connection back before the write takes one: a request holding one connection while
        # it waits for a second lets a burst of writes exhaust the pool and stall every writer.
        with unit_of_work(request.app.state.engine) as session:
            key = keys.authenticate(session, credentials.credentials)
    if key is None:
        # Each failure spends a token of the client's address: guessing keys gets slow.
        address = request.client.host if request.client else "unknown"
        request.app.state.failed_auth_limiter.take(address, "authentication")
        raise UnauthorizedError(_UNAUTHORIZED)
    return key


def editor(request: Request, key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
    if key.scope not in ("editor", "admin"):
        raise ForbiddenError("this key's scope does not allow editing")
    request.app.state.write_limiter.take(key.prefix, "writes")
    return key


def admin(request: Request, key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
    if key.scope != "admin":
        raise ForbiddenError("this operation needs a key with the admin scope")
    request.app.state.write_limiter.take(key.prefix, "writes")
    return key


EditorKey = Annotated[ApiKey, Depends(editor)]
AdminKey = Annotated[ApiKey, Depends(admin)]
