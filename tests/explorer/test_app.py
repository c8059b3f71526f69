"""``simulate.py explore`` refuses a port that is taken, with one line and status 2."""

from __future__ import annotations

import socket


def test_a_port_in_use_is_refused_with_one_line(capsys):
    import simulate

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = simulate.main(["explore", "--port", str(port), "--no-browser"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"error: --port {port}: in use on 127.0.0.1; give another or leave it out"
