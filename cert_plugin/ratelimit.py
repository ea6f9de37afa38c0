"""Rate limiting of the public verification endpoints, per client.

The verify page, the verify form and the JSON ``api-verify`` share one budget
per client: ``CERT_PLUGIN["VERIFY_RATE"]`` (``"30/m"`` by default; ``None``
turns limiting off). A person checking a handful of certificates never meets
the limit; a script walking the code space does, and a shared budget means it
cannot get three times the rate by alternating the endpoints.

Why a small hand-written limiter rather than ``django-ratelimit`` or DRF
throttles: the HTML pages and the JSON API must share one budget and answer
with our own 429 page / JSON body and an exact ``Retry-After``; DRF throttles
only cover DRF views, and ``django-ratelimit`` would be one more dependency for
twenty lines. The algorithm is deliberately the simplest predictable one:

* **Fixed window** of the rate's period (1 s, 1 min, 1 h, 1 day), aligned to
  the epoch, so every process agrees on the window without coordination and
  ``Retry-After`` is simply the time until the window ends.
* **Counter in Django's cache** (the ``default`` alias), made atomic with
  ``cache.add(key, 0)`` (creates the counter only if missing) followed by
  ``cache.incr(key)`` (atomic on Redis and Memcached; per-process on
  LocMemCache, which is what the tests and the demo use). A burst of up to twice
  the rate across a window boundary is possible and accepted.
* **Client = the IP address** in ``REMOTE_ADDR``. IPv6 addresses are grouped
  by their /64 prefix, since one household or host is handed a whole /64 and
  could otherwise rotate addresses to dodge the limit.

Behind a reverse proxy or load balancer ``REMOTE_ADDR`` is the proxy's address,
so every visitor would share one budget. Hosts behind a proxy must put the real
client address into ``REMOTE_ADDR`` before the request reaches the plugin, the
way Open edX's ``XForwardedForMiddleware`` does (it is in edx-platform's
default ``MIDDLEWARE``); any middleware that sets
``request.META["REMOTE_ADDR"]`` from a header *your own proxy* writes will do.
The plugin never trusts ``X-Forwarded-For`` by itself, because any client can
send that header.

If the cache is unavailable the request is allowed (the limiter fails open):
verification is the public service the plugin exists for, and losing the
counter must not take it down.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from cert_plugin import conf

__all__ = ["Limit", "client_id", "hit", "parse_rate"]

log = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_KEY_PREFIX = "cert_plugin:rl"


@dataclass(frozen=True)
class Limit:
    """The answer for one request: whether it may go ahead, and if not for how long to wait."""

    allowed: bool
    retry_after: int = 0  # whole seconds until the window ends (>= 1 when not allowed)


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"30/m"`` -> ``(30, 60)``: requests allowed per period in seconds; ``None`` when disabled."""
    if not rate:
        return None
    count, _, unit = rate.partition("/")
    return int(count), _PERIODS[unit]


def client_id(request: HttpRequest) -> str:
    """Who is asking: ``REMOTE_ADDR``, with IPv6 addresses reduced to their /64 network."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def hit(request: HttpRequest, scope: str = "verify") -> Limit:
    """Count one request of this client against ``VERIFY_RATE`` and say whether it is allowed.

    A request is counted once, however many layers of a view ask (the JSON verify view asks before
    and inside DRF's handling): the answer is kept on the request."""
    counted = getattr(request, _COUNTED, {})
    if scope in counted:
        return counted[scope]
    limit = _count(request, scope)
    setattr(request, _COUNTED, {**counted, scope: limit})
    return limit


_COUNTED = "_cert_plugin_rate_limits"


def _count(request: HttpRequest, scope: str) -> Limit:
    rate = parse_rate(conf.get().VERIFY_RATE)
    if rate is None:
        return Limit(allowed=True)
    allowed, period = rate
    now = time.time()
    window = int(now // period)
    key = f"{_KEY_PREFIX}:{scope}:{client_id(request)}:{period}:{window}"
    try:
        count = _increment(key, timeout=period + 1)
    except Exception:  # fail open when the cache is down, and say so
        log.warning("cert_plugin: rate-limit cache unavailable; allowing the request", exc_info=True)
        return Limit(allowed=True)
    if count <= allowed:
        return Limit(allowed=True)
    return Limit(allowed=False, retry_after=max(1, math.ceil((window + 1) * period - now)))


def _increment(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key``, starting it at 1 when there is none: one cache round trip for
    every request of a window but its first (incr raises ValueError on a missing key)."""
    for _ in range(3):
        try:
            return int(cache.incr(key))
        except ValueError:
            if cache.add(key, 1, timeout=timeout):
                return 1
            # Another request started the counter between our incr and add: count on it.
    raise RuntimeError(f"the rate-limit counter {key} keeps disappearing")
