"""Stopping a live run: signals only set a flag; a second one changes nothing."""

from __future__ import annotations

import os
import signal
import threading

from bot.engine.live.session import StopFlag
from bot.engine.live.stop import install_signal_handlers


def test_the_first_reason_wins_and_signals_are_counted():
    flag = StopFlag()
    before = flag.requested
    flag.request("signal SIGTERM")
    flag.request("signal SIGINT")
    assert (before, flag.requested) == (False, True)
    assert flag.reason == "signal SIGTERM"
    assert flag.signals == 2


def test_sigterm_and_sigint_set_the_flag_and_later_signals_are_ignored():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    flag = StopFlag()
    restore = install_signal_handlers(flag)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt: only the flag
        restore()
        # the run is over and the process exits: a late SIGTERM must not kill it (exit -15)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        os.kill(os.getpid(), signal.SIGTERM)
        assert flag.reason == "signal SIGTERM"
        assert flag.signals == 2
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


def test_without_a_signal_the_old_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    restore = install_signal_handlers(StopFlag())
    restore()
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_off_the_main_thread_nothing_is_installed():
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def install() -> None:
        install_signal_handlers(StopFlag())()
        seen.append(signal.getsignal(signal.SIGTERM))

    worker = threading.Thread(target=install)
    worker.start()
    worker.join()
    assert seen == [before]
