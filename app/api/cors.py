"""CORS whose refused preflight is a problem, as every other error of the API is."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.api.problems import problem


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette answers a refused preflight with the plain text `Disallowed CORS method`;
    here it is problem+json naming what was refused and what is allowed."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code != 400:
            return answer
        refused = []
        method = request_headers["access-control-request-method"]
        if method not in self.allow_methods:
            refused.append(
                f"Access-Control-Request-Method: {method[:100]!r} is not allowed; "
                f"allowed: {', '.join(self.allow_methods)}"
            )
        asked = request_headers.get("access-control-request-headers")
        if asked is not None:
            names = [h.strip() for h in asked.lower().split(",")]
            others = [h for h in names if h not in self.allow_headers]
            if others:
                refused.append(
                    f"Access-Control-Request-Headers: {', '.join(others)[:200]} "
                    f"{'is' if len(others) == 1 else 'are'} not allowed; allowed: "
                    f"{', '.join(sorted(self.allow_headers))}"
                )
        if not refused:  # the origin or private-network access
            refused.append(f"the preflight was refused ({bytes(answer.body).decode()})")
        headers = {
            k: v for k, v in answer.headers.items() if k not in ("content-length", "content-type")
        }
        return problem(400, "; ".join(refused), title="CORS preflight refused", headers=headers)
