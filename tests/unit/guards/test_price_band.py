"""PriceBand: limit, trigger and last prices within the band, in bps, with the numbers."""

from __future__ import annotations

from bot.domain import TriggerDirection
from bot.guards import PriceBand
from tests.unit.guards.doubles import limit_buy, market_buy, settings, stop_buy, ticker


def test_limit_inside_band_passes() -> None:
    guard = PriceBand(settings(), ticker("57600", "57600"))
    assert guard.check(limit_buy("58752")) is None  # exactly 200 bps above last


def test_limit_outside_band_is_blocked_with_numbers() -> None:
    guard = PriceBand(settings(use_mark_price=False), ticker("57600", "57600"))
    block = guard.check(limit_buy("61200"))
    assert block is not None
    assert block.guard == "price_band"
    assert block.reason == "limit 61,200 is 625 bps from last 57,600; band is 200 bps"
    assert block.numbers == {
        "limit": "61200",
        "last": "57600",
        "limit_vs_last_bps": "625",
        "band_bps": "200",
    }


def test_limit_is_checked_against_mark_too() -> None:
    guard = PriceBand(settings(), ticker("57600", "60000"))
    block = guard.check(limit_buy("57600"))
    assert block is not None
    assert "limit 57,600 is 400 bps from mark 60,000" in block.reason
    assert "last 57,600 is 400 bps from mark" not in block.reason  # limit order, not market
    assert block.numbers["limit_vs_mark_bps"] == "400"


def test_mark_is_ignored_when_off() -> None:
    guard = PriceBand(settings(use_mark_price=False), ticker("57600", "60000"))
    assert guard.check(limit_buy("57600")) is None
    assert guard.check(market_buy()) is None


def test_market_entry_last_far_from_mark_is_blocked() -> None:
    guard = PriceBand(settings(), ticker("57600", "60000"))
    block = guard.check(market_buy())
    assert block is not None
    assert block.reason == "last 57,600 is 400 bps from mark 60,000; band is 200 bps"


def test_market_entry_last_near_mark_passes() -> None:
    assert PriceBand(settings(), ticker("57600", "57650")).check(market_buy()) is None


def test_trigger_price_outside_band_is_blocked() -> None:
    guard = PriceBand(settings(price_band_bps=100), ticker("50000", "50000"))
    block = guard.check(stop_buy("51000", TriggerDirection.RISE))
    assert block is not None
    assert "trigger 51,000 is 200 bps from last 50,000" in block.reason
    assert "trigger 51,000 is 200 bps from mark 50,000" in block.reason
    assert block.reason.endswith("band is 100 bps")


def test_fractional_bps_are_shown_to_a_tenth() -> None:
    guard = PriceBand(settings(price_band_bps=1, use_mark_price=False), ticker("30000", None))
    block = guard.check(limit_buy("30004.5"))
    assert block is not None
    assert block.reason == "limit 30,004.5 is 1.5 bps from last 30,000; band is 1 bps"
