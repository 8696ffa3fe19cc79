"""The live log: one line per event with the run id, JSON or text, secrets masked,
library records bridged without URLs."""

from __future__ import annotations

import io
import json
import logging
from decimal import Decimal

from bot.config.schema import LogFormat
from bot.engine.live.logs import LiveLog, bridge_library_logs

SECRET = "s3cr3t-value-123"


def test_json_lines_carry_time_level_event_run_id_and_exact_fields():
    out = io.StringIO()
    log = LiveLog("Lrun1", fmt=LogFormat.json, stream=out, clock=lambda: 1_800_000_000.5)
    log.info("order", qty=Decimal("0.010"), reduce_only=False, code=None)
    line = json.loads(out.getvalue())
    assert line == {
        "ts": "2027-01-15T08:00:00.500+00:00",
        "level": "info",
        "event": "order",
        "run_id": "Lrun1",
        "qty": "0.010",
        "reduce_only": False,
        "code": None,
    }


def test_text_lines_name_the_run_and_quote_values_with_spaces():
    out = io.StringIO()
    LiveLog("Lrun1", stream=out).warning("intent refused", reason="stale ticker", code=7)
    line = out.getvalue().strip()
    assert "WARNING" in line
    assert "[Lrun1] intent refused" in line
    assert 'reason="stale ticker" code=7' in line


def test_secrets_are_masked_in_every_line():
    out = io.StringIO()
    log = LiveLog("Lrun1", fmt=LogFormat.json, stream=out, secrets=[SECRET])
    log.alarm("failed", error=f"auth with {SECRET} refused")
    assert SECRET not in out.getvalue()
    assert "auth with *** refused" in out.getvalue()


def test_library_warnings_are_bridged_without_urls_and_undone():
    out = io.StringIO()
    log = LiveLog("Lrun1", fmt=LogFormat.json, stream=out)
    root = logging.getLogger()
    before = list(root.handlers)
    undo = bridge_library_logs(log)
    try:
        logging.getLogger("pybit._http_manager").error(
            "Too many visits!. Hit the API rate limit on http://127.0.0.1:1/v5/order/realtime?x=1"
        )
        logging.getLogger("pybit._http_manager").debug("Request -> headers with keys")
    finally:
        undo()
    assert root.handlers == before
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(lines) == 1
    assert lines[0]["event"] == "library"
    assert lines[0]["level"] == "error"
    assert "://" not in lines[0]["message"]
    assert "<url>" in lines[0]["message"]


def test_a_broken_stream_never_raises():
    out = io.StringIO()
    out.close()
    LiveLog("Lrun1", stream=out).info("still fine")
