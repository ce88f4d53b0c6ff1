"""Our own webhook server (tornado, which PTB's webhooks extra already brings), in the manner of
PTB's custom-webhook example: the Application runs without its Updater and this server hands
it the updates, through the inbox.

PTB's own server answers 200 as soon as an update is on the in-memory queue; a crash before a
handler ran then loses it, because Telegram does not send an answered update again. Here the
answer is 200 only after the update is committed to the inbox; until then Telegram keeps it and
tries again. Requests without the configured secret token (header
`X-Telegram-Bot-Api-Secret-Token`) get 403, malformed ones 400, and 500 when the database
cannot store the update (Telegram retries later).
"""

from __future__ import annotations

import hmac
import json
import logging
import sqlite3
from http import HTTPStatus

import tornado.httpserver
import tornado.web
from telegram import Update

from transports.inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Receiver:
    """What one POST from Telegram gets: the status code, decided without HTTP (testable)."""

    def __init__(self, inbox: Inbox, secret_token: str) -> None:
        if not secret_token:
            raise ValueError("a webhook needs a secret token")
        self.inbox = inbox
        self.secret = secret_token.encode()

    def accept(self, headers, body: bytes) -> int:
        given = (headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.info("webhook request without the right secret token refused")
            return HTTPStatus.FORBIDDEN
        try:
            text = body.decode("utf-8")
            update = Update.de_json(json.loads(text), self.inbox.app.bot)
        except Exception:  # not JSON, not an update: Telegram never sends that
            log.warning("webhook request that is not a Telegram update refused")
            return HTTPStatus.BAD_REQUEST
        if update is None:
            return HTTPStatus.BAD_REQUEST
        try:
            self.inbox.receive([update], [text])
        except sqlite3.Error as exc:
            log.error("could not store update %s in the inbox (%s); Telegram will send it "
                      "again", update.update_id, exc)
            return HTTPStatus.INTERNAL_SERVER_ERROR
        return HTTPStatus.OK


class _Handler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def post(self) -> None:
        self.set_status(self.receiver.accept(self.request.headers, self.request.body))
        self.finish()

    def log_exception(self, typ, value, tb) -> None:  # our logging, never the request body
        log.debug("webhook request failed: %s", value)


class _App(tornado.web.Application):
    def log_request(self, handler) -> None:  # no access log (the path is a secret's neighbour)
        return None


class WebhookServer:
    def __init__(self, inbox: Inbox, *, listen: str, port: int, path: str,
                 secret_token: str) -> None:
        self.receiver = Receiver(inbox, secret_token)
        route = "/" + path.strip("/")
        self._server = tornado.httpserver.HTTPServer(
            _App([(rf"{route}/?", _Handler, {"receiver": self.receiver})]))
        self.listen = listen
        self.port = port

    def start(self) -> None:
        self._server.listen(self.port, address=self.listen)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
