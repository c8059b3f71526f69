"""A figure download with no figure to draw still opens: a small PNG or PDF that says why
(a usability review: the explorer's PNG with interim looks was an 83-byte text file)."""

import pytest

from designs.outputs.plotting import message_figure_bytes


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")])
def test_a_message_figure_is_a_real_image_and_the_same_every_time(fmt, magic):
    text = "figure: with interim looks no sample-size figure is drawn yet (fixed designs only)"
    data = message_figure_bytes(text, fmt)
    assert data.startswith(magic) and len(data) > 1000
    assert message_figure_bytes(text, fmt) == data
    assert message_figure_bytes("something else", fmt) != data
