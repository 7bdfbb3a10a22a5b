"""Domain errors. Services raise these; one handler turns them into problem+json responses."""

from typing import ClassVar


class DomainError(Exception):
    status: int = 400
    title: str = "Bad request"

    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str, **extra: object):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFoundError(DomainError):
    status = 404
    title = "Not found"


class InvalidParameterError(DomainError):
    status = 400
    title = "Invalid parameter"


class UnavailableError(DomainError):
    status = 503
    title = "Service unavailable"


class UnauthorizedError(DomainError):
    status = 401
    title = "Unauthorized"
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": 'Bearer realm="sourced"'}


class ForbiddenError(DomainError):
    status = 403
    title = "Forbidden"


class PreconditionRequiredError(DomainError):
    status = 428
    title = "Precondition required"


class PreconditionFailedError(DomainError):
    status = 412
    title = "Precondition failed"


class ConflictError(DomainError):
    """A 409 says which conflict it is in its title: "Conflict" alone tells a client nothing."""

    status = 409

    def __init__(self, detail: str, *, title: str, **extra: object):
        super().__init__(detail, **extra)
        self.title = title


class UnprocessableError(DomainError):
    status = 422
    title = "Unprocessable content"
