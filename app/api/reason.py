"""The `Sourced-Reason` header, read as the text the editor wrote.

HTTP header values are bytes; Starlette hands them over decoded as Latin-1, so a UTF-8
"Café" arrived as "CafÃ©" and was kept so in the append-only history. Here the value is taken
back to its bytes and read as UTF-8; RFC 8187's extended form (`UTF-8''Caf%C3%A9`, the one a
client limited to ASCII headers can send) is read too. Bytes that are not text are a 400
naming the header. The length limit counts characters, as it does for a body's `reason`.
"""

import re
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from fastapi import Header
from pydantic import AfterValidator, WithJsonSchema

from app.errors import InvalidParameterError
from app.services.write.editing import MAX_REASON_LENGTH

# RFC 8187 section 3.2: charset ' [ language ] ' value-chars (attr-char or %XX), in the two
# charsets a recipient must support. Not email.utils' RFC 2231 helpers: they accept any
# charset and replace undecodable bytes, where a reason must be refused rather than altered.
_EXTENDED = re.compile(
    r"(?P<charset>UTF-8|ISO-8859-1)'[A-Za-z0-9-]*'(?P<value>(?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-Fa-f]{2})*)",
    re.IGNORECASE,
)
NOT_TEXT = "Sourced-Reason: not UTF-8 text; send UTF-8, or RFC 8187's UTF-8''percent-encoded form"


def decode(value: str | None) -> str | None:
    """The header's text from Starlette's Latin-1 reading of its bytes."""
    if value is None:
        return None
    raw = value.encode("latin-1")
    extended = _EXTENDED.fullmatch(value)
    try:
        if extended:
            charset = "utf-8" if extended["charset"].lower() == "utf-8" else "latin-1"
            text = unquote_to_bytes(extended["value"]).decode(charset)
        else:
            text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Raised past pydantic on purpose: a ValueError would be a 422 "validation error",
        # but bytes that are not text are a malformed request, a 400 like the body's.
        raise InvalidParameterError(NOT_TEXT) from None
    if len(text) > MAX_REASON_LENGTH:
        raise ValueError(f"at most {MAX_REASON_LENGTH} characters")
    return text


def _documented(description: str, example: str) -> tuple[WithJsonSchema, Any]:
    """The schema as before: a string of at most 2000 characters (checked after decoding)."""
    schema = {
        "anyOf": [{"type": "string", "maxLength": MAX_REASON_LENGTH}, {"type": "null"}],
        "description": description,
        "examples": [example],
    }
    header = Header(alias="Sourced-Reason", description=description, examples=[example])
    return WithJsonSchema(schema), header


_RECORD = _documented(
    "Why the record changes (or a `reason` field in the body).",
    "Corrected the figure after the outlet's correction of 3 March",
)
_BUNDLE = _documented(
    "Why (or a top-level `reason` field, which this header overrides); "
    "needed when the bundle changes a record that exists.",
    "New article",
)
RecordReason = Annotated[str | None, AfterValidator(decode), _RECORD[0], _RECORD[1]]
BundleReason = Annotated[str | None, AfterValidator(decode), _BUNDLE[0], _BUNDLE[1]]
