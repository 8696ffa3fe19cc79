"""Stubs for ``pybit.exceptions`` (pybit 5.17.0)."""

from collections.abc import Mapping

class UnauthorizedExceptionError(Exception): ...
class InvalidChannelTypeError(Exception): ...
class TopicMismatchError(Exception): ...

class FailedRequestError(Exception):
    """HTTP status other than 200, undecodable JSON, or retries exhausted."""

    request: str
    message: str
    status_code: int
    time: str
    resp_headers: Mapping[str, str] | None
    def __init__(
        self,
        request: str,
        message: str,
        status_code: int,
        time: str,
        resp_headers: Mapping[str, str] | None,
    ) -> None: ...

class InvalidRequestError(Exception):
    """HTTP 200 with a ``retCode`` that is neither 0, retried nor ignored."""

    request: str
    message: str
    status_code: int
    time: str
    resp_headers: Mapping[str, str] | None
    def __init__(
        self,
        request: str,
        message: str,
        status_code: int,
        time: str,
        resp_headers: Mapping[str, str] | None,
    ) -> None: ...
