"""Who is writing: a Bearer key checked against its stored digest. Reads need no key."""

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import SessionDep
from app.errors import ForbiddenError, UnauthorizedError
from app.models import ApiKey
from app.services import keys

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An editor or admin key made with `sourced keys create`: `Authorization: Bearer src_...`.",
)

# One message for a missing, malformed, unknown or revoked key: the answer must not tell
# an attacker which of these it was.
_UNAUTHORIZED = "a valid API key is required: send `Authorization: Bearer <key>`"


def current_key(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiKey:
    if credentials is None or len(credentials.credentials) > 200:
        raise UnauthorizedError(_UNAUTHORIZED)
    key = keys.authenticate(session, credentials.credentials)
    if key is None:
        raise UnauthorizedError(_UNAUTHORIZED)
    return key


def editor(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
    if key.scope not in ("editor", "admin"):
        raise ForbiddenError("this key's scope does not allow editing")
    return key


def admin(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
    if key.scope != "admin":
        raise ForbiddenError("this operation needs a key with the admin scope")
    return key


EditorKey = Annotated[ApiKey, Depends(editor)]
AdminKey = Annotated[ApiKey, Depends(admin)]
