"""The explorer answers its own page only (a security review: a session opened from another
origin ran the default design and read its results; a Host of another name, DNS
rebinding's, got the page; any site could frame it)."""

from __future__ import annotations

import asyncio

from designs.explorer.local_only import LocalOnly, allowed


def test_only_the_loopback_host_and_its_own_origin_pass():
    assert allowed("127.0.0.1:8050", None)
    assert allowed("localhost:8050", "http://localhost:8050")
    assert allowed("LOCALHOST:8050", "http://localhost:8050")
    # a forwarded port (ssh -L 9000:127.0.0.1:8050, an editor's forwarding): the browser's
    # own port in Host and Origin (a diff review: refused when only 8050 passed)
    assert allowed("127.0.0.1:9000", "http://127.0.0.1:9000")
    assert not allowed("evil.example:8050", None)  # DNS rebinding
    assert not allowed("127.0.0.1:8050", "http://evil.example")  # another site
    assert not allowed("127.0.0.1:8050", "http://127.0.0.1:9000")  # another origin
    assert not allowed("127.0.0.1:8050", "null")  # a sandboxed frame or a file
    assert not allowed("127.0.0.1", None) and not allowed("", None)


def _call(scope_type: str, headers: dict[str, str]) -> list[dict]:
    """The messages the middleware sends for one request (the app answers 200)."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "websocket.connect"}

    scope = {
        "type": scope_type,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(LocalOnly(app, 8050)(scope, receive, send))
    return sent


def test_the_middleware_refuses_and_frames():
    ok = _call("http", {"host": "127.0.0.1:8050"})
    assert ok[0]["status"] == 200
    assert (b"x-frame-options", b"DENY") in ok[0]["headers"]
    assert (b"content-security-policy", b"frame-ancestors 'none'") in ok[0]["headers"]
    refused = _call("http", {"host": "evil.example:8050"})
    assert refused[0]["status"] == 403
    assert b"own page only, at http://127.0.0.1:8050/" in refused[1]["body"]
    socket = _call("websocket", {"host": "127.0.0.1:8050", "origin": "http://evil.example"})
    assert socket == [{"type": "websocket.close", "code": 1008}]


def test_the_running_explorer_refuses_another_host(server):
    """The served app has the middleware: its page at 127.0.0.1, 403 under another name."""
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(server.url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["X-Frame-Options"] == "DENY"
    rebound = urllib.request.Request(server.url, headers={"Host": f"evil.example:{server.port}"})
    try:
        urllib.request.urlopen(rebound, timeout=10)
        raise AssertionError("a request for another host was answered")
    except urllib.error.HTTPError as exc:
        assert exc.code == 403


def test_a_large_upload_is_refused_before_it_is_read(tmp_path):
    """A security review: a 200 MB upload was parsed on the event loop (every page frozen
    for 14 s); a file over 1 MB is refused by its size alone."""
    import pytest

    from designs.errors import InputError
    from designs.explorer.server import MAX_UPLOAD_BYTES, check_upload_size

    small = tmp_path / "small.toml"
    small.write_text('[trial]\nname = "x"\n', encoding="utf-8")
    check_upload_size(small)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(InputError, match="1,000,001 bytes; a design file is a TOML of a few kB"):
        check_upload_size(big)


def test_a_long_looks_text_is_refused_before_it_is_parsed():
    """A security review: 12 MB of "0.5," took 5 s to parse before "at most 10" was said."""
    import pytest

    from designs.errors import InputError
    from designs.explorer.looks_control import looks_value

    with pytest.raises(InputError, match=r"interim\.looks: 12,000,000 characters; give at most"):
        looks_value("0.5," * 3_000_000)
    assert looks_value("0.5, 1") == ("looks", [0.5, 1.0])


def test_an_uploaded_files_name_cannot_end_the_comment(base):
    """A security review: a file name with a line break put `touch ...` on a line of its own
    in commands.sh, where it would run."""
    from designs.explorer.command import commands_file

    name = "x.toml\ntouch /tmp/PWNED #"
    text = commands_file(
        name, base, base, seed=1, trials=100, analyses=("lmm_slope",), uploaded=True
    )
    import shlex

    # read as the shell reads it: the name inside the commands' quotes is one word, and the
    # comment ends at its own line's end (the old comment let "touch" stand as a command)
    assert "touch" not in shlex.split(text, comments=True)
    assert "# x.toml\\ntouch /tmp/PWNED # is the design file uploaded" in text
