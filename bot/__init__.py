"""bot: a fail-closed trading bot for Bybit USDT perpetual futures.

Importing the package turns on beartype's import hook for every ``bot`` module, so
every annotated call is checked at run time. A violation raises
:class:`bot.errors.TypeViolation`, part of the bot's one exception hierarchy.
"""

from beartype import BeartypeConf
from beartype.claw import beartype_this_package

from bot.errors import TypeViolation

# is_pep484_tower: an int is accepted where a float is annotated, exactly as mypy does.
beartype_this_package(conf=BeartypeConf(violation_type=TypeViolation, is_pep484_tower=True))
