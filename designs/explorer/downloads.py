"""The page's downloads: the bytes the command line writes for the page's design and seed
(sample-size tables, figure, design TOML, commands, the report folder as a zip)."""

from __future__ import annotations

from shiny import reactive, render

from designs.errors import InputError
from designs.explorer import compute, views
from designs.explorer.background import in_thread as _thread

__all__ = ["register_downloads"]


def register_downloads(current, new_job) -> None:
    """Each download: the bytes the command line writes for the page's design and seed;
    ``new_job()`` its job, which the tab's end cancels (a robustness review: a report left
    running by a closed tab held every other tab for 223 s)."""

    def req():
        with reactive.isolate():
            return current()

    async def search(r):
        """The page's search, or the library's line (a search the page refuses)."""
        try:
            return await _thread(compute.sample_size_view, r.design, r.seed, r.trials, new_job())
        except (InputError, compute.Cancelled) as exc:  # Cancelled: the tab is gone
            return str(exc)

    async def table(fmt):
        view = await search(req())
        if isinstance(view, str):
            return (view + "\n").encode()
        if fmt not in view.tables:  # with interim looks the command line refuses it too
            return f"% {views.NO_LATEX_WITH_LOOKS}\n".encode()  # a comment: \input-able
        return view.tables[fmt].encode()

    @render.download_button(filename="sample_size.csv", media_type="text/csv")
    async def dl_table_csv():
        yield await table("csv")

    @render.download_button(filename="sample_size.md", media_type="text/markdown")
    async def dl_table_md():
        yield await table("md")

    @render.download_button(filename="sample_size.tex", media_type="application/x-tex")
    async def dl_table_latex():
        yield await table("latex")

    @render.download_button(filename="design.toml", media_type="application/toml")
    async def dl_design():
        from designs.outputs.design_toml import annotated_toml

        yield annotated_toml(req().design).encode()  # as `designs show` prints it

    @render.download_button(filename="commands.sh", media_type="text/x-shellscript")
    async def dl_commands():
        yield req().commands().encode()

    async def figure(kind):
        from designs.outputs.plotting import message_figure_bytes

        view = await search(req())
        if isinstance(view, str) or view.sequential:  # a figure that says why there is none
            text = view if isinstance(view, str) else views.NO_FIGURE_WITH_LOOKS
            return await _thread(message_figure_bytes, text, kind)
        # the PDF is drawn on the first download (off the event loop), then kept
        return view.png if kind == "png" else await _thread(lambda: view.pdf)

    @render.download_button(filename="sample_size_curve.png", media_type="image/png")
    async def dl_figure_png():
        yield await figure("png")

    @render.download_button(filename="sample_size_curve.pdf", media_type="application/pdf")
    async def dl_figure_pdf():
        yield await figure("pdf")

    @render.download_button(filename="report.zip", media_type="application/zip")
    async def dl_report():
        r = req()
        try:
            yield await _thread(
                compute.report_zip,
                r.design,
                r.seed,
                r.trials,
                True,
                new_job(),
                command=r.report_command(),
            )
        except compute.Cancelled:
            return  # the tab is gone: nothing to send
