"""Auto Doctor: the Flask application factory."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, Request, g, render_template, request
from flask.json.tag import JSONTag, TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import charts
import cli
import db
import rooms
from formats import data_code, format_local_time, format_money, status_label, with_article
from blueprints import account, admin, api, auth, booking, customer, dev, main, mechanic, room, scheduling, webhooks, workshop

ROOT = Path(__file__).resolve().parent
csrf = CSRFProtect()


def _flag(name, default):
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _local_secret_key(var_dir):
    """A secret key kept under var/, so that a local run keeps its log-ins across restarts."""
    path = Path(var_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(config=None):
    app = Flask(__name__)
    app.request_class = AppRequest
    app.session_interface = AppSessions()
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        DATABASE_URL=os.environ.get("DATABASE_URL"),
        # what a pooler in transaction mode cannot carry (the job runner's session locks, LISTEN, migrations) goes
        # straight to the primary: DIRECT_DATABASE_URL, when DATABASE_URL names PgBouncer (README, Deployment)
        DIRECT_DATABASE_URL=os.environ.get("DIRECT_DATABASE_URL"),
        APP_DATABASE_URL=os.environ.get("APP_DATABASE_URL"),
        APP_DB_PASSWORD=os.environ.get("APP_DB_PASSWORD"),
        # gateway events and reconciliation (payments.py) log in as autodoctor_payments
        PAYMENTS_DATABASE_URL=os.environ.get("PAYMENTS_DATABASE_URL"),
        PAYMENTS_DB_PASSWORD=os.environ.get("PAYMENTS_DB_PASSWORD"),
        DB_POOL_SIZE=int(os.environ.get("DB_POOL_SIZE", "10")),
        # seconds a request waits for a pooled connection before it answers 503 (db.Unavailable)
        DB_POOL_TIMEOUT=float(os.environ.get("DB_POOL_TIMEOUT", "5")),
        VAR_DIR=os.environ.get("AUTODOCTOR_VAR", str(ROOT / "var")),
        SESSION_COOKIE_SECURE=_flag("COOKIE_SECURE", True),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="autodoctor_session",
        # the cookie only carries the log-in session's token; the database ends the session (login_policy)
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session it is tied to
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        # without a key, payments go through the built-in offline test gateway (offline_gateway.TestGateway)
        STRIPE_SECRET_KEY=os.environ.get("STRIPE_SECRET_KEY"),
        STRIPE_WEBHOOK_SECRET=os.environ.get("STRIPE_WEBHOOK_SECRET"),
        STRIPE_API_BASE=os.environ.get("STRIPE_API_BASE"),
        # timed jobs (jobs.py): app (APScheduler in `flask serve`), pg_cron (the app runs only SMTP/Stripe jobs), off
        JOB_RUNNER=os.environ.get("JOB_RUNNER", "app"),
        JOB_MINUTE_SECONDS=float(os.environ.get("JOB_MINUTE_SECONDS", "60")),  # shorter only for tests and demos
        # notifications (notifications.py): without SMTP_HOST, emails go to VAR_DIR/mailbox
        BASE_URL=os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        MAIL_FROM=os.environ.get("MAIL_FROM", "Auto Doctor <no-reply@autodoctor.app>"),
        SMTP_HOST=os.environ.get("SMTP_HOST"),
        SMTP_PORT=os.environ.get("SMTP_PORT"),
        SMTP_SECURITY=os.environ.get("SMTP_SECURITY", "starttls"),  # starttls, ssl or none
        SMTP_USERNAME=os.environ.get("SMTP_USERNAME"),
        SMTP_PASSWORD=os.environ.get("SMTP_PASSWORD"),
        SMS_GATEWAY_URL=os.environ.get("SMS_GATEWAY_URL"),
        SMS_GATEWAY_TOKEN=os.environ.get("SMS_GATEWAY_TOKEN"),
        # the development-only mailbox page (/dev/mailbox); `./dev run` turns it on
        DEV_MAILBOX=_flag("DEV_MAILBOX", False),
        # the session room (rooms.py): ICE servers for WebRTC, TURN credentials made per user, and the
        # threads of `flask serve`: WEB_THREADS for pages, ROOM_STREAMS more for the rooms' open event streams
        ICE_SERVERS=os.environ.get("ICE_SERVERS", "[]"),
        TURN_URLS=[url.strip() for url in os.environ.get("TURN_URLS", "").split(",") if url.strip()],
        TURN_SECRET=os.environ.get("TURN_SECRET"),
        TURN_TTL=int(os.environ.get("TURN_TTL", "10800")),
        ICE_TRANSPORT_POLICY=os.environ.get("ICE_TRANSPORT_POLICY", "all"),  # relay: only through TURN
        WEB_THREADS=int(os.environ.get("WEB_THREADS", "8")),
        ROOM_STREAMS=int(os.environ.get("ROOM_STREAMS", "48")),
        ROOM_STREAM_SECONDS=int(os.environ.get("ROOM_STREAM_SECONDS", "300")),
        # how many reverse proxies stand in front of the app: only their X-Forwarded-For and -Proto are believed
        # (0: none, the peer's address is the client's, and a forged header changes nothing)
        TRUSTED_PROXY_HOPS=int(os.environ.get("TRUSTED_PROXY_HOPS", "0")),
    )
    if config:
        app.config.update(config)
    if isinstance(app.config["ICE_SERVERS"], str):
        app.config["ICE_SERVERS"] = rooms.parse_ice_servers(app.config["ICE_SERVERS"])
    if app.config["ICE_TRANSPORT_POLICY"] not in ("all", "relay"):
        raise ValueError("ICE_TRANSPORT_POLICY must be all or relay")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _local_secret_key(app.config["VAR_DIR"])

    if app.config["TRUSTED_PROXY_HOPS"] > 0:
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.url_map.converters["int"] = IdConverter
    csrf.init_app(app)
    db.init_app(app)
    auth.init_app(app)
    for blueprint in (main.bp, auth.bp, account.bp, customer.bp, booking.bp, scheduling.bp, mechanic.bp, room.bp, workshop.bp, admin.bp, api.bp, webhooks.bp):
        app.register_blueprint(blueprint)
    if app.config["DEV_MAILBOX"]:
        app.register_blueprint(dev.bp)
    csrf.exempt(webhooks.bp)
    csrf.exempt(api.bp)  # api.require_login checks the token itself, once it knows who is calling
    cli.register(app)
    _register_error_pages(app)
    app.after_request(_security_headers)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["localtime"] = format_local_time
    app.jinja_env.filters["status_label"] = status_label
    app.jinja_env.filters["with_article"] = with_article
    app.jinja_env.filters["data_code"] = data_code
    charts.init_app(app)
    return app


class AppRequest(Request):
    """A JSON body nested deeper than the parser can follow is bad input (400), like any other malformed JSON,
    rather than a RecursionError."""

    def get_json(self, force=False, silent=False, cache=True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("The JSON body is nested too deeply.") from None


class TagCoded(JSONTag):
    """A refusal's message (db.Coded) in the session: a flashed refusal keeps its code across the redirect."""
    __slots__ = ()
    key = " coded"

    def check(self, value):
        return isinstance(value, db.Coded)

    def to_json(self, value):
        return [str(value), value.code]

    def to_python(self, value):
        return db.Coded(*value)


class AppSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with a serializer that knows db.Coded: their own, since Flask's default one
    is shared by every app of the process."""
    serializer = TaggedJSONSerializer()


AppSessions.serializer.register(TagCoded)


class IdConverter(IntegerConverter):
    """<int:...> in a URL is a row id: a number beyond bigint matches no route (404) instead of reaching SQL."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if g.get("user") is not None or request.path.startswith("/api/"):
        # a person's pages and the API's answers stay out of every cache, the browser's back button included
        response.headers["Cache-Control"] = "no-store"
    return response


# what a 503 says, by whether the call may have changed something (db.Unavailable.changed)
UNAVAILABLE = {
    False: "Nothing was changed. Please try again in a few seconds.",
    None: "It stopped answering while saving this, so we cannot tell yet whether it was saved. Please check "
          "(your appointments list every booking and payment) before trying again.",
}


def _register_error_pages(app):
    def page(status, title, message):
        if request.path.startswith("/api/"):
            return api.error_response(status, message)
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return page(400, "This form has expired",
                    "The form was missing its security token or it had expired. Go back, reload the page and try again.")

    @app.errorhandler(db.Refusal)
    def refused(refusal):
        return page(refusal.status, "That could not be done", refusal.message)

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, "Bad request", "Something in that request was not valid.")

    @app.errorhandler(403)
    def forbidden(error):
        return page(403, "Not for this account", "Your account cannot open this page.")

    @app.errorhandler(404)
    def not_found(error):
        return page(404, "Page not found", f"There is nothing at {request.path}.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        # RFC 9110: a 405 lists the methods the URL does take
        body, status = page(405, "Not allowed", "This page cannot be used that way.")
        return body, status, {"Allow": ", ".join(error.valid_methods or ())}

    @app.errorhandler(413)
    def too_large(error):
        return page(413, "Too large", "That upload is larger than we accept.")

    @app.errorhandler(db.Unavailable)
    def unavailable(failure):
        # a restart or a failover lasts seconds; the client may try again then (RFC 9110 §10.2.3)
        body, status = page(503, "Our database is not answering", UNAVAILABLE[failure.changed])
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(error):
        # a fault may come after a change was saved: never claim that nothing was
        return page(500, "Something went wrong on our side",
                    "We could not finish this request. Please check whether it went through before trying again.")
