"""Private follow-up links never reach the logs: gunicorn's access and error logs and the app's own."""
import io
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from forums.applog import get_logger, mask_private
from forums.access_log import PrivatePathLogger

TOKEN = "Zx9-secret_Token42"
FOLLOWUP = f"/questions/suivi/{TOKEN}"


def test_mask_private_hides_the_token_and_keeps_the_rest():
    assert mask_private(f"GET {FOLLOWUP}?nouvelle=1 HTTP/1.1") == "GET /questions/suivi/[masqué]?nouvelle=1 HTTP/1.1"
    assert mask_private("GET /questions/13-000001 HTTP/1.1") == "GET /questions/13-000001 HTTP/1.1"


def test_gunicorn_is_configured_with_the_masking_logger():
    settings = runpy.run_path(str(Path(__file__).parent.parent / "gunicorn.conf.py"))
    assert settings["logger_class"] == "forums.access_log.PrivatePathLogger"


def test_the_access_log_masks_the_path_and_the_referer(tmp_path):
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    logger = PrivatePathLogger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": FOLLOWUP + "?nouvelle=1", "PATH_INFO": FOLLOWUP,
               "QUERY_STRING": "nouvelle=1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1",
               "HTTP_REFERER": "https://forums.example" + FOLLOWUP, "HTTP_USER_AGENT": "test"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.access(response, SimpleNamespace(headers=[("Referer", "https://forums.example" + FOLLOWUP)]), environ,
                  timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.close()
    line = log_file.read_text()
    assert "/questions/suivi/[masqué]" in line
    assert TOKEN not in line


def test_gunicorn_error_log_masks_too(tmp_path):
    log_file = tmp_path / "error.log"
    config = Config()
    config.set("errorlog", str(log_file))
    logger = PrivatePathLogger(config)
    logger.error("Error handling request %s", FOLLOWUP)
    for handler in logger.error_log.handlers:
        handler.close()
    assert TOKEN not in log_file.read_text()


def test_the_app_logs_mask_the_path(app):
    [handler] = [h for h in logging.getLogger("forums").handlers if getattr(h, "_forums", False)]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.addHandler(handler)
    try:
        get_logger("errors").error("unhandled error on %s %s", "GET", FOLLOWUP)
        werkzeug.warning('127.0.0.1 - - "GET %s HTTP/1.1" 200 -', FOLLOWUP)
    finally:
        werkzeug.removeHandler(handler)
        handler.setStream(previous)
    written = buffer.getvalue()
    assert written.count("/questions/suivi/[masqué]") == 2
    assert TOKEN not in written
