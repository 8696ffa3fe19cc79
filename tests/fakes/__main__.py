"""Run the fake Bybit by hand: ``python -m tests.fakes --port 8080 --ws-port 8081``.

BTCUSDT (and ETHUSDT) prices follow a seeded random walk; the URLs and the test key
pair are printed so the bot can be pointed at it::

    BYBIT_API_KEY=... BYBIT_API_SECRET=... python -m bot exchange=bybit \\
        exchange.rest_url=http://127.0.0.1:8080 \\
        exchange.ws_public_url=ws://127.0.0.1:8081/v5/public/linear \\
        exchange.ws_private_url=ws://127.0.0.1:8081/v5/private

Only 127.0.0.1 is ever bound. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import random
import threading
from decimal import Decimal

from tests.fakes.exchange import FakeBybit

START_PRICES = {"BTCUSDT": Decimal("65000.0"), "ETHUSDT": Decimal("3200.00")}


def _walk(fake: FakeBybit, seed: int, step_s: float, stop: threading.Event) -> None:
    rng = random.Random(seed)
    prices = dict(START_PRICES)
    ticks = {str(i.symbol): Decimal(i.tick_size) for i in fake.instruments}
    while not stop.wait(step_s):
        for symbol, price in prices.items():
            move = Decimal(rng.choice((-3, -2, -1, 0, 1, 2, 3))) * ticks[symbol]
            prices[symbol] = max(price + move * 10, ticks[symbol])
            fake.set_price(symbol, prices[symbol])


def main(argv: list[str] | None = None) -> int:
    """Start the fake, print how to reach it, walk prices until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="HTTP port (0: any free)")
    parser.add_argument("--ws-port", type=int, default=0, help="WebSocket port (0: any free)")
    parser.add_argument("--seed", type=int, default=7, help="random-walk seed")
    parser.add_argument("--step", type=float, default=0.5, help="seconds between prices")
    args = parser.parse_args(argv)
    stop = threading.Event()
    with FakeBybit(port=args.port, ws_port=args.ws_port) as fake:
        for symbol, price in START_PRICES.items():
            fake.set_price(symbol, price)
        walker = threading.Thread(
            target=_walk, args=(fake, args.seed, args.step, stop), daemon=True
        )
        walker.start()
        print(f"REST        {fake.rest_url}")
        print(f"WS public   {fake.ws_public_url}")
        print(f"WS private  {fake.ws_private_url}")
        print(f"API key     {fake.api_key}")
        print(f"API secret  {fake.api_secret}")
        print(
            "bot:        python -m bot exchange=bybit "
            f"exchange.rest_url={fake.rest_url} "
            f"exchange.ws_public_url={fake.ws_public_url} "
            f"exchange.ws_private_url={fake.ws_private_url}",
            flush=True,
        )
        try:
            stop.wait()
        except KeyboardInterrupt:
            print("stopping")
        finally:
            stop.set()
            walker.join(2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
