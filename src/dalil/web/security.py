"""Security headers on every response (pure ASGI middleware, streaming-safe).

Every response carries a strict Content-Security-Policy (``default-src 'self'``, no
inline script or style), ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` and
``X-Content-Type-Options: nosniff`` (the bytes of a viewed evidence item carry a stricter
policy still: :data:`VIEW_CONTENT_SECURITY_POLICY`). Responses that may show case data (everything except
static assets) also carry ``Cache-Control: no-store`` so that neither the browser nor a
proxy keeps a copy of a page naming a witness.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)

#: The policy of the bytes of a viewed evidence item (an image, audio, video, a rendered
#: PDF page): nothing in it may run, load anything, submit a form or be framed, even when
#: it is opened on its own in a tab. A view response sets it; this middleware keeps it.
VIEW_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    "img-src 'self'; "
    "media-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'none'; "
    "frame-ancestors 'none'; "
    "sandbox"
)

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]

VIEW_CSP = VIEW_CONTENT_SECURITY_POLICY.encode()
STATIC_PREFIX = "/static/"


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response, overriding any set downstream."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        is_static = path.startswith(STATIC_PREFIX)
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {n for n, _ in BASE_HEADERS}
                names.add(b"cache-control")
                given = message.get("headers", [])
                headers = [(n, v) for n, v in given if n.lower() not in names]
                if (b"content-security-policy", VIEW_CSP) in given:  # stricter: kept
                    headers.append((b"content-security-policy", VIEW_CSP))
                    headers.extend(h for h in BASE_HEADERS if h[0] != b"content-security-policy")
                else:
                    headers.extend(BASE_HEADERS)
                if is_static:
                    headers.append((b"cache-control", b"public, max-age=3600"))
                else:
                    headers.append((b"cache-control", b"no-store"))
                    headers.append((b"pragma", b"no-cache"))
                if tls and self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SafeErrorsMiddleware:
    """Turn an unexpected exception into a bare 500 and log one line naming only its
    type and where it was raised — never its message or a traceback with values, which
    could carry a witness's name or a passphrase into the server log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # the point is to catch everything
            import logging
            import traceback

            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            logging.getLogger("dalil.web").error(
                "internal error %s at %s on %s %s",
                type(exc).__name__,
                where,
                scope.get("method"),
                scope.get("path"),
            )
            if not started:
                body = (
                    b'{"type": "about:blank", "title": "Internal Server Error", "status": 500, '
                    b'"detail": "internal error", "code": "internal", "error": "internal error"}'
                )
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
