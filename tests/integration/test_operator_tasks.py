"""Operator tasks (status, close, panic, reset) through the real pybit client against the fake.

Each test starts its own fake Bybit (the ``fake`` fixture), puts the fake's test key pair
in the environment, composes the settings as ``python -m bot exchange=bybit ...`` does,
and runs the task through the bot's own road (``build_live_road`` -> ``BybitRest`` ->
pybit over loopback).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config.schema import Network
from bot.config.settings import (
    BybitSettings,
    CloseTaskSettings,
    PanicTaskSettings,
    ResetTaskSettings,
)
from bot.domain import Symbol
from bot.engine.live.operator import (
    close_task,
    panic_task,
    reset_task,
    run_operator_task,
    status_task,
)
from bot.errors import ConfigError, OperatorTaskFailed
from bot.execution import Accepted
from bot.risk import TradingState
from tests.fakes import FakeBybit, Fault
from tests.fakes.clients import LoopbackHTTP
from tests.integration.operator_helpers import (
    create_bodies,
    held,
    keys_from_env,
    market,
    open_links,
    operator_settings,
    recover,
    resting,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
BTC = Symbol("BTCUSDT")
WRITES = ("/v5/order/create", "/v5/order/create-batch", "/v5/order/cancel", "/v5/order/cancel-all")


@pytest.fixture
def journal(tmp_path: Path, fake: FakeBybit, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A journal path in ``tmp_path``; the fake's keys are in the environment."""
    keys_from_env(monkeypatch, fake)
    return tmp_path / "state" / "journal.sqlite"


def _writes(fake: FakeBybit) -> int:
    return sum(len(fake.requests(path)) for path in WRITES)


# -- status ------------------------------------------------------------------------------


def test_status_shows_positions_orders_balance_state_and_feeds(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    resting(http, "seed-2", "60000")
    fake.set_price("BTCUSDT", "65500", mark="65400")
    writes_before = _writes(fake)

    report = status_task(operator_settings(fake, journal, "task=status"))

    out = capsys.readouterr().out
    assert report.errors == ()
    assert out == report.text + "\n"
    lines = out.splitlines()
    position = next(line.split() for line in lines if line.strip().startswith("BTCUSDT  long"))
    # symbol side size entry mark unrealised liq lev
    assert position[:6] == ["BTCUSDT", "long", "0.01", "65000", "65400", "4"]
    order = next(line.split() for line in lines if "seed-2" in line)
    assert order == ["seed-2", "BTCUSDT", "Buy", "Limit", "0.01", "0", "60000", "-", "no"]
    assert any(line.split()[:1] == ["wallet"] for line in lines)
    assert "ACTIVE (no journal yet" in out
    assert "clock skew:" in out
    assert ": ok" in out
    ticker = next(line.split() for line in lines if line.strip().startswith("BTCUSDT  65500"))
    assert ticker[1:3] == ["65500", "65400"]
    assert ticker[-1] == "ok"
    assert _writes(fake) == writes_before, "status must never send an order or a cancel"
    assert not journal.exists(), "status must not create a journal"


def test_status_reads_the_trading_state_from_the_journal(
    fake: FakeBybit, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = operator_settings(fake, journal, "task=panic", "task.confirm=true")
    panic_task(settings, PanicTaskSettings(confirm=True))
    capsys.readouterr()

    status_task(operator_settings(fake, journal, "task=status"))

    out = capsys.readouterr().out
    assert "HALTED (panic: operator task=panic)" in out
    assert f"journal {journal}: 0 open order(s)" in out


@pytest.mark.failclosed
@pytest.mark.parametrize(
    ("path", "fault", "what"),
    [
        ("/v5/position/list", Fault.http_status(502), "positions"),
        ("/v5/order/realtime", Fault.non_json(), "open orders"),
        (
            "/v5/account/wallet-balance",
            Fault.edit({"result.list.0.coin.0.equity": "NaN"}),
            "balance",
        ),
        ("/v5/market/time", Fault.ret_code(10016, "Server error"), "clock skew"),
        ("/v5/market/tickers", Fault.edit({"result.list.0.lastPrice": ""}), "ticker BTCUSDT"),
    ],
)
def test_status_fails_closed_when_a_read_fails(
    fake: FakeBybit,
    http: LoopbackHTTP,
    journal: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    fault: Fault,
    what: str,
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    fake.inject(path, fault)

    with pytest.raises(OperatorTaskFailed, match=f"status is incomplete: 1 read.*{what}: "):
        status_task(operator_settings(fake, journal, "task=status"))

    out = capsys.readouterr().out
    assert "ERROR: " in out
    assert "INCOMPLETE: 1 read(s) failed" in out
    # the reads that worked are still shown, marked incomplete, never silently partial
    assert ("BTCUSDT  long" in out) == (what != "positions")


# -- close --------------------------------------------------------------------------------


def test_close_half_then_all_sends_reduce_only_and_journals(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    seeded = len(create_bodies(fake))

    half = close_task(
        operator_settings(fake, journal, "task=close", "task.fraction=0.5"),
        CloseTaskSettings(symbol=BTC, fraction=Decimal("0.5")),
    )
    assert held(fake) == {"BTCUSDT": ("Buy", Decimal("0.005"))}
    assert isinstance(half.result, Accepted)
    assert half.result.reduce_only
    assert half.after is not None
    assert half.after.size == Decimal("0.005")

    rest = close_task(
        operator_settings(fake, journal, "task=close"),
        CloseTaskSettings(symbol=BTC, fraction=Decimal(1)),
    )
    assert held(fake) == {}
    assert rest.after is None

    sent = create_bodies(fake)[seeded:]
    assert [(b["side"], b["qty"], b["reduceOnly"], b["orderType"]) for b in sent] == [
        ("Sell", "0.005", True, "Market"),
        ("Sell", "0.005", True, "Market"),
    ]
    out = capsys.readouterr().out
    assert "close 0.5 of BTCUSDT long 0.01 @ 65000" in out
    assert "now: BTCUSDT long 0.005 @ 65000" in out
    assert "now: BTCUSDT flat" in out
    found = recover(journal)
    assert len(found.fill_ids) == 2, "both closing fills are in the journal"
    assert found.open_orders == ()
    assert found.anomalies == ()


def test_close_with_no_position_sends_nothing_and_succeeds(
    fake: FakeBybit, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = close_task(
        operator_settings(fake, journal, "task=close"),
        CloseTaskSettings(symbol=BTC, fraction=Decimal(1)),
    )
    assert outcome.result is None
    assert outcome.before is None
    assert create_bodies(fake) == []
    assert "close BTCUSDT: no open position; nothing sent" in capsys.readouterr().out


@pytest.mark.failclosed
def test_close_refused_by_the_venue_exits_non_zero(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path
) -> None:
    market(http, "seed-1", "Sell", "0.010")
    fake.inject("/v5/order/create", Fault.ret_code(10001, "params error: qty invalid"))

    with pytest.raises(
        OperatorTaskFailed, match=r"close BTCUSDT: rejected at venue \[code 10001\]"
    ):
        close_task(
            operator_settings(fake, journal, "task=close"),
            CloseTaskSettings(symbol=BTC, fraction=Decimal(1)),
        )
    assert held(fake) == {"BTCUSDT": ("Sell", Decimal("0.010"))}


@pytest.mark.failclosed
def test_close_whose_result_cannot_be_read_says_it_was_sent(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    fake.inject("/v5/order/realtime", Fault.http_status(502))

    with pytest.raises(OperatorTaskFailed, match="was sent, but what became of it cannot be read"):
        close_task(
            operator_settings(fake, journal, "task=close"),
            CloseTaskSettings(symbol=BTC, fraction=Decimal(1)),
        )
    assert held(fake) == {}, "the close itself went through"
    assert len(recover(journal).last_seq) == 1, "and its intent is in the journal"


# -- panic ---------------------------------------------------------------------------------


def test_panic_cancels_flattens_and_halts_in_the_journal(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    market(http, "seed-2", "Sell", "0.50", symbol="ETHUSDT")
    resting(http, "seed-3", "60000")
    seeded = len(create_bodies(fake))

    report = panic_task(
        operator_settings(fake, journal, "task=panic", "task.confirm=true"),
        PanicTaskSettings(confirm=True),
    )

    assert report.flat
    assert report.remaining == ()
    assert report.cancelled == ("seed-3",)
    assert held(fake) == {}
    assert open_links(fake) == []
    closes = create_bodies(fake)[seeded:]
    assert sorted((b["symbol"], b["side"], Decimal(str(b["qty"]))) for b in closes) == [
        ("BTCUSDT", "Sell", Decimal("0.010")),
        ("ETHUSDT", "Buy", Decimal("0.50")),
    ]
    assert all(b["reduceOnly"] is True for b in closes)
    found = recover(journal)
    assert found.trading_state is TradingState.HALTED
    assert "panic" in found.state_reason
    out = capsys.readouterr().out
    assert "positions before the panic: BTCUSDT long 0.01 @ 65000, ETHUSDT short 0.5 @ 3200" in out
    assert "cancelled 1 order(s): seed-3" in out
    assert "panic done: HALTED" in out


@pytest.mark.failclosed
def test_panic_is_refused_without_confirm(fake: FakeBybit, journal: Path) -> None:
    with pytest.raises(ConfigError, match=r"task\.confirm"):
        operator_settings(fake, journal, "task=panic")
    settings = operator_settings(fake, journal, "task=panic", "task.confirm=true")
    with pytest.raises(ConfigError, match=r"task\.confirm"):
        panic_task(settings, PanicTaskSettings(confirm=False))
    assert fake.requests() == []
    assert not journal.exists()


@pytest.mark.failclosed
def test_panic_that_cannot_flatten_exits_non_zero_and_stays_halted(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    fake.inject("/v5/order/create", Fault.ret_code(10001, "params error: qty invalid"), times=20)

    with pytest.raises(OperatorTaskFailed, match="panic did not finish: not flat: BTCUSDT"):
        panic_task(
            operator_settings(fake, journal, "task=panic", "task.confirm=true"),
            PanicTaskSettings(confirm=True),
        )
    assert held(fake) == {"BTCUSDT": ("Buy", Decimal("0.010"))}
    assert recover(journal).trading_state is TradingState.HALTED


@pytest.mark.failclosed
def test_panic_that_cannot_verify_the_orders_exits_non_zero(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    fake.inject("/v5/order/realtime", Fault.http_status(502))

    with pytest.raises(OperatorTaskFailed, match="open orders cannot be read after the panic"):
        panic_task(
            operator_settings(fake, journal, "task=panic", "task.confirm=true"),
            PanicTaskSettings(confirm=True),
        )
    assert held(fake) == {}
    assert recover(journal).trading_state is TradingState.HALTED


# -- reset ----------------------------------------------------------------------------------


def test_reset_after_panic_records_active_with_the_reason(
    fake: FakeBybit, http: LoopbackHTTP, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    panic_task(
        operator_settings(fake, journal, "task=panic", "task.confirm=true"),
        PanicTaskSettings(confirm=True),
    )
    assert recover(journal).trading_state is TradingState.HALTED
    capsys.readouterr()

    reason = "checked the feed, resuming"
    before, after = reset_task(
        operator_settings(fake, journal, "task=reset", f"task.reason='{reason}'"),
        ResetTaskSettings(reason=reason),
    )

    assert (before, after) == (TradingState.HALTED, TradingState.ACTIVE)
    found = recover(journal)
    assert found.trading_state is TradingState.ACTIVE
    assert found.state_reason == f"operator reset: {reason}"
    out = capsys.readouterr().out
    assert f"HALTED (panic: operator task=panic) -> ACTIVE ({reason})" in out


def test_reset_when_already_active_writes_nothing(
    fake: FakeBybit, journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = operator_settings(fake, journal, "task=reset", "task.reason=again")
    assert reset_task(settings, ResetTaskSettings(reason="again")) == (
        TradingState.ACTIVE,
        TradingState.ACTIVE,
    )
    assert not journal.exists()
    assert "nothing was ever halted" in capsys.readouterr().out


# -- mainnet ----------------------------------------------------------------------------------

TASKS = [
    ["task=status"],
    ["task=close"],
    ["task=panic", "task.confirm=true"],
    ["task=reset", "task.reason=ok"],
    ["task=download", "task.path=x.parquet"],
]


@pytest.mark.failclosed
@pytest.mark.parametrize("task", TASKS, ids=lambda t: t[0])
def test_operator_tasks_refuse_mainnet_without_confirmation(
    fake: FakeBybit, journal: Path, task: list[str]
) -> None:
    with pytest.raises(ConfigError, match="confirm_mainnet=true"):
        operator_settings(fake, journal, "exchange.network=mainnet", *task)
    confirmed = operator_settings(
        fake, journal, "exchange.network=mainnet", "exchange.confirm_mainnet=true", *task
    )
    assert isinstance(confirmed.exchange, BybitSettings)
    # settings that skipped validation are refused again before anything connects
    unconfirmed = dataclasses.replace(
        confirmed, exchange=dataclasses.replace(confirmed.exchange, confirm_mainnet=False)
    )
    with pytest.raises(ConfigError, match="confirm_mainnet=true"):
        run_operator_task(unconfirmed)
    assert fake.requests() == []


def test_mainnet_settings_name_the_network(fake: FakeBybit, journal: Path) -> None:
    confirmed = operator_settings(
        fake, journal, "exchange.network=mainnet", "exchange.confirm_mainnet=true", "task=status"
    )
    assert isinstance(confirmed.exchange, BybitSettings)
    assert confirmed.exchange.network is Network.mainnet
