"""The explorer answers its own page only: requests whose ``Host`` is not the loopback
address it listens on (DNS rebinding: a site that points its own name at 127.0.0.1) and
requests or websockets whose ``Origin`` is another site (a page in the user's browser that
opens a session and reads the results) are refused, and no other site may frame the page.
A security review drove a session from another origin and read its results. Any user of
the same machine can still reach the port: docs/explorer.md says so."""

from __future__ import annotations

#: The names of the loopback address a browser may use for the explorer.
LOCAL_NAMES = ("127.0.0.1", "localhost")

#: Headers added to every HTTP response: no framing by another site (clickjacking).
FRAME_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)


def allowed(host: str, origin: str | None, port: int) -> bool:
    """Whether a request with this ``Host`` (and ``Origin``, if any) is the explorer's own
    page on ``port``."""
    hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
    if host.lower() not in hosts:
        return False
    return origin is None or origin.lower() in {f"http://{h}" for h in hosts}


class LocalOnly:
    """ASGI middleware around the Shiny app: :func:`allowed` requests pass, others get 403
    (a websocket is closed before it is accepted, which the server answers with 403)."""

    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if not allowed(headers.get("host", ""), headers.get("origin"), self.port):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), *FRAME_HEADERS],
                }
            )
            body = b"the design explorer answers its own page only (http://127.0.0.1:PORT/)\n"
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def framed(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *FRAME_HEADERS]}
            await send(message)

        await self.app(scope, receive, framed)
