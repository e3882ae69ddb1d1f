"""`unspin serve`: the HTTP API and the web page, on uvicorn."""

from __future__ import annotations

import os

import click

from ..errors import ConfigError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default; 0.0.0.0 exposes the server).")
@click.option("--port", default=8080, show_default=True, type=int, help="TCP port.")
@click.option("--index", "index_path", metavar="PATH", help="A trace index: enables POST /v1/trace and source-aided restoration.")
@click.option("--mode", type=click.Choice(["deep", "fast"]), default="deep", show_default=True,
              help="Default engine mode; 'fast' never loads the language model (requests cannot ask for deep).")
@click.option("--max-body", "max_body", type=int, default=1024 * 1024, show_default=True, help="Largest request body in bytes (413 beyond).")
@click.option("--time-limit", type=float, help="Seconds of engine work per request; the rest of the text is reported unchecked (default 60 deep, 10 fast).")
@click.option("--queue", "queue_size", type=int, default=8, show_default=True, help="Requests waiting or running at once (503 beyond).")
@click.option("--max-words", type=int, help="Check at most this many words per request.")
@click.option("--body-timeout", type=float, default=30.0, show_default=True, help="Seconds a client may pause while sending its request body (408 beyond).")
@click.option("--allow-origin", metavar="ORIGIN", help="Allow cross-origin browser requests from ORIGIN ('*' for any), as LanguageTool's server option does.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info", show_default=True)
def serve(host: str, port: int, index_path: str | None, mode: str, max_body: int, time_limit: float | None,
          queue_size: int, max_words: int | None, body_timeout: float, allow_origin: str | None, log_level: str) -> None:
    """Serve the HTTP API and the web page (open http://HOST:PORT/ in a browser).

    Set UNSPIN_API_KEY to require 'Authorization: Bearer KEY' or 'X-API-Key: KEY' on the API.
    """
    try:
        import uvicorn
    except ImportError:
        raise ConfigError("'unspin serve' needs the serve extra: pip install 'unspin[serve]'") from None
    from ..serve import ServeSettings, create_app

    if index_path:
        from pathlib import Path

        if not Path(index_path).exists():
            raise ConfigError(f"no trace index at {index_path}; build one with 'unspin index add INDEX FILES'")
    settings = ServeSettings(
        host=host, port=port, index=index_path, mode=mode, max_body_bytes=max_body, time_limit=time_limit,
        queue_size=queue_size, max_words=max_words, api_key=os.environ.get("UNSPIN_API_KEY") or None,
        allow_origin=allow_origin, body_timeout=body_timeout,
    )
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"unspin: serving on http://{shown}:{port}/ (mode {mode}; API key {'required' if settings.api_key else 'off'}); Ctrl+C stops", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_keep_alive=5,
                h11_max_incomplete_event_size=64 * 1024)


def register(main: click.Group) -> None:
    main.add_command(serve)
