"""`transport serve`: run the callback service (web/callbacks.py) with uvicorn until
SIGTERM or SIGINT, then stop cleanly (requests under way are finished)."""

from __future__ import annotations

import logging
import signal
from typing import Annotated

import typer

log = logging.getLogger(__name__)


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on. Default: [web] host.")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="Port to listen on. Default: [web] port."),
    ] = None,
) -> None:
    """Receive what Twilio and GOV.UK Notify call back: delivery statuses and the texts
    families send (STOP, START, replies), at /callbacks/twilio/status,
    /callbacks/twilio/inbound, /callbacks/notify/status and /callbacks/notify/inbound,
    and GET /healthz. Runs behind the council's reverse proxy (TLS there; only
    /callbacks/* exposed); Twilio's requests are checked against [web] public_url.
    SIGTERM stops it cleanly (exit 0)."""
    import uvicorn

    from services.app import build
    from transport.config import load_config
    from web.callbacks import Verifiers, create_app

    root = ctx.find_root()
    root.obj = root.obj or {}
    app = root.obj["app"] = build(load_config(root.obj.get("config_path")), interactive=False)
    app.may_create = False
    app.ready()
    web = app.config.web
    for lacking in Verifiers.of(app).missing():
        log.warning("%s: until then they are refused (403)", lacking)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(app),
            host=host or web.host,
            port=port or web.port,
            log_config=None,  # our logging (references only), not uvicorn's access log
            access_log=False,
            proxy_headers=False,  # Twilio's signature is checked against public_url
            server_header=False,
            lifespan="off",
        )
    )
    # uvicorn handles SIGTERM and SIGINT (stops accepting, finishes what is under way),
    # then raises the signal again for the handler it found: ours, which notes it, so the
    # process ends with 0 rather than killed by the signal.
    caught: list[int] = []
    previous = {
        number: signal.signal(number, lambda received, _frame: caught.append(received))
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        server.run()
    except SystemExit:  # uvicorn could not listen (the port taken, the address not ours)
        typer.echo(f"error: cannot listen on {host or web.host}:{port or web.port}", err=True)
        raise typer.Exit(2) from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        app.close()
    if not server.started:
        raise typer.Exit(2)
    if caught:
        log.info("stopped by %s", signal.Signals(caught[0]).name)


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
