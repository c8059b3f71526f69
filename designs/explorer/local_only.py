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


def allowed(host: str, origin: str | None) -> bool:
    """Whether a request with this ``Host`` (and ``Origin``, if any) is the explorer's own
    page: a loopback name with a port (any port: a forwarded one, ``ssh -L 9000:...`` or an
    editor's, reaches the explorer under the browser's own port, a diff review found it
    refused), and an ``Origin`` of that same address."""
    name, _, port = host.lower().rpartition(":")
    if name not in LOCAL_NAMES or not port.isdigit():
        return False
    return origin is None or origin.lower() == f"http://{host.lower()}"


class LocalOnly:
    """ASGI middleware around the Shiny app: :func:`allowed` requests pass, others get 403
    (a websocket is closed before it is accepted, which the server answers with 403)."""

    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port  # the port it listens on: named in a refusal

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if not allowed(headers.get("host", ""), headers.get("origin")):
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
            body = (
                "the design explorer answers its own page only, at "
                f"http://127.0.0.1:{self.port}/ (or a port forwarded to it)\n"
            ).encode()
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
