"""Start the explorer: the Shiny app on a local port, served by uvicorn until Ctrl-C."""

from __future__ import annotations

import os
import socket
import sys
import threading
import webbrowser

#: uvicorn's websocket implementation. With its default (websockets-sansio, uvicorn 0.54) a
#: change sent while a simulation ran reached the server up to 35 s late in our browser
#: tests; with wsproto it is read as soon as the event loop runs again.
WS = "wsproto"


def make_app():
    """The Shiny app (page and server) over the design library; the page's address carries
    its design (:mod:`designs.explorer.address`)."""
    from shiny import App

    from designs.explorer.address import design_named
    from designs.explorer.layout import page
    from designs.explorer.server import server
    from designs.spec import list_designs, load_design

    def page_at(request):
        # built for each request: the controls start at the address's values, and those it
        # does not name at its design's own (a diff review: at the default design's)
        names = list_designs()
        return page(load_design(design_named(request.query_params, names)), names)

    return App(page_at, server, bookmark_store="url")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether ``host:port`` can be listened on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # as uvicorn binds (asyncio sets SO_REUSEADDR on POSIX): a port left in TIME_WAIT by
        # the last run is free (without it a restart on the same --port was refused for
        # ~60 s); not on Windows, where it would let two servers share a port
        if os.name == "posix":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def serve(port: int | None = None, *, open_browser: bool = True, host: str = "127.0.0.1") -> None:
    """Serve the explorer on ``host:port`` (loopback only; a free port by default) until
    interrupted; jobs still running are cancelled on the way out."""
    import uvicorn

    from designs.explorer import compute
    from designs.explorer.local_only import LocalOnly

    port = port or free_port(host)
    url = f"http://{host}:{port}/"
    app = LocalOnly(make_app(), port)  # its own page only (a security review)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", ws=WS)

    class Server(uvicorn.Server):
        """uvicorn's server that gives the address once it listens: by then uvicorn handles
        Ctrl-C itself (a Ctrl-C while uvicorn set up its logging printed a traceback)."""

        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(f"design explorer at {url} (Ctrl-C stops it)", flush=True)
                if open_browser:
                    threading.Timer(1.0, webbrowser.open, (url,)).start()

    try:
        Server(config).run()
    finally:
        compute.cancel_all()
        sys.stdout.flush()
