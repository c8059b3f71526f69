"""``explore``: the interactive design explorer in the browser (:mod:`designs.explorer`)."""

from __future__ import annotations

from designs.cli.options import add_command, whole


def add_explore(sub) -> None:
    p = add_command(
        sub,
        "explore",
        "an interactive design explorer in the browser, on a local port (Ctrl-C stops it)",
        cmd_explore,
    )
    p.add_argument(
        "--port",
        type=whole(1, 65535),
        help="port on 127.0.0.1 (default: a free one); no login: any user of this machine "
        "can open it, other web pages cannot (docs/explorer.md)",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="do not open a browser; print the address"
    )


def cmd_explore(args) -> int:
    from designs.errors import InputError
    from designs.explorer.app import port_free, serve

    if args.port is not None and not port_free(args.port):
        raise InputError(f"--port {args.port}: in use on 127.0.0.1; give another or leave it out")
    try:
        serve(args.port, open_browser=not args.no_browser)
    except KeyboardInterrupt:
        pass
    print("design explorer stopped", flush=True)
    return 0
