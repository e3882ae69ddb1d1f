"""Server settings: one frozen dataclass, validated on construction.

>>> s = ServeSettings(mode="fast")
>>> s.host, s.port, s.mode, s.effective_time_limit
('127.0.0.1', 8080, 'fast', 10.0)
>>> ServeSettings(queue_size=0)
Traceback (most recent call last):
...
unspin.errors.ConfigError: queue_size must be at least 1, got 0
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import MODES
from ..errors import ConfigError

DEFAULT_TIME_LIMIT = {"deep": 60.0, "fast": 10.0}


@dataclass(frozen=True)
class ServeSettings:
    """Settings of one ``unspin serve`` process.

    host, port:      where to listen (loopback by default: nothing is exposed unless asked).
    index:           a trace index for ``/v1/trace`` and source-aided restoration (None: off).
    mode:            default engine mode; requests may ask for ``fast`` but not for ``deep``
                     on a fast server (the model is then never loaded).
    max_body_bytes:  largest request body accepted (413 beyond).
    time_limit:      seconds of engine work per request; segments not started by then are left
                     unchecked and the result says ``incomplete: true`` (None: 60 deep, 10 fast).
    queue_size:      requests waiting or running at once; one more gets 503 (one worker thread
                     runs the shared model, so requests queue behind each other).
    max_words:       words checked per request at most (None: the engine's default).
    api_key:         when set, /v1 and /v2 endpoints need ``Authorization: Bearer KEY`` or
                     ``X-API-Key: KEY`` (or LanguageTool's ``apiKey`` form field) - 401 otherwise.
    body_timeout:    seconds a client may take between two chunks of its request body (408).
    warm_up:         load the model at start-up (health says ``warming-up`` until done).
    allow_origin:    CORS origin allowed to call the API from a browser page elsewhere (None: off).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    index: str | None = None
    mode: str = "deep"
    max_body_bytes: int = 1024 * 1024
    time_limit: float | None = None
    queue_size: int = 8
    max_words: int | None = None
    api_key: str | None = None
    body_timeout: float = 30.0
    warm_up: bool = True
    allow_origin: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; known: {', '.join(MODES)}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"port must lie in 1-65535, got {self.port}")
        if self.max_body_bytes < 1024:
            raise ConfigError(f"max_body_bytes must be at least 1024, got {self.max_body_bytes}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ConfigError(f"time_limit must be positive, got {self.time_limit}")
        if self.queue_size < 1:
            raise ConfigError(f"queue_size must be at least 1, got {self.queue_size}")
        if self.max_words is not None and self.max_words < 1:
            raise ConfigError(f"max_words must be at least 1, got {self.max_words}")
        if self.api_key is not None and len(self.api_key) < 8:
            raise ConfigError("the API key must be at least 8 characters long")
        if not self.body_timeout > 0:
            raise ConfigError(f"body_timeout must be positive, got {self.body_timeout}")

    @property
    def effective_time_limit(self) -> float:
        return self.time_limit if self.time_limit is not None else DEFAULT_TIME_LIMIT[self.mode]
