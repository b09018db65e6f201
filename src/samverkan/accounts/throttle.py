"""The login limit: how many tries an account and an address get, counted atomically.

Three counters are kept for every try, each in its own database row so that the count holds
across processes and web workers:

- the account from this address (``LOGIN_MAX_FAILURES``, default 5): the ordinary lock a
  person who mistypes or a guesser meets;
- the account from anywhere (``LOGIN_MAX_FAILURES_PER_ACCOUNT``, default 50): a higher ceiling
  that stops guessing spread over many addresses. A try refused because its address is over
  its own limit is not counted here, so one address spends at most ``LOGIN_MAX_FAILURES`` of
  it per window and can never lock the account for everyone else (issue 19, finding 8). It
  takes ``LOGIN_MAX_FAILURES_PER_ACCOUNT / LOGIN_MAX_FAILURES`` addresses (10 by default;
  IPv6 counted per /64) trying within one window to lock the account everywhere; that
  distributed lock lasts until the window ends and is the price of the ceiling;
- the address for any account (``LOGIN_MAX_FAILURES_PER_ADDRESS``, default 50): stops one
  address from trying one password against many accounts. IPv6 addresses count per /64
  network, since one machine usually holds a whole /64.

A try is counted *before* the password is checked and given back when the login succeeds, so
twelve simultaneous wrong tries against a limit of five get five password checks, not twelve.
The counter row is locked (``select_for_update``) while it is read and raised.

Names are counted the way Django's login form looks them up (Unicode NFKC) and, on top of
that, without regard to case: ``ｄemo.styrgrupp`` (full-width d) and ``Demo.Styrgrupp``
draw on the budget of ``demo.styrgrupp``.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from samverkan.accounts.models import LoginThrottle


def username_key(raw: Any) -> str:
    """The name as the login form would look it up, folded to one case (max 150 chars)."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    # casefold() may produce characters that NFKC would compose again; normalise once more.
    return unicodedata.normalize("NFKC", text.casefold())[:150]


def client_address(request: Any) -> str | None:
    """The client's address, trusting exactly ``TRUSTED_PROXY_COUNT`` proxies in front of us.

    With no trusted proxy, REMOTE_ADDR is the client: an X-Forwarded-For header is then the
    client's own claim and would let it dodge the limit. With N trusted proxies, each appends
    the address it received the request from, so the client is the Nth address from the right
    of X-Forwarded-For; anything further left is what the client chose to send. A header with
    fewer than N addresses or a malformed one means the proxies are not set up as configured,
    and REMOTE_ADDR is used.
    """
    if request is None:
        return None
    remote = _ip_or_none(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < proxies:
        return remote
    return _ip_or_none(forwarded[-proxies]) or remote


def _ip_or_none(text: str | None) -> str | None:
    """The address in its canonical spelling, or None for anything that is not one
    (a UNIX-socket server may leave REMOTE_ADDR empty)."""
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def address_key(address: str | None) -> str:
    """IPv4 addresses as they are; IPv6 addresses by their /64 network."""
    if not address:
        return "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    keys: tuple[str, ...]
    # When refused: the time the last of the exceeded counters opens again.
    opens_at: datetime.datetime | None = None
    # The counters this try was counted on (a try refused by its address's own limit is not
    # counted against the account); None means all of ``keys``.
    counted: tuple[str, ...] | None = None

    def counted_keys(self) -> tuple[str, ...]:
        return self.keys if self.counted is None else self.counted

    def minutes_left(self) -> int:
        if self.opens_at is None:
            return 0
        return max(1, math.ceil((self.opens_at - timezone.now()).total_seconds() / 60))


def _limits(username: str, address: str | None) -> list[tuple[str, int]]:
    where = address_key(address)
    return [
        (f"pair:{where}:{username}", settings.LOGIN_MAX_FAILURES),
        (f"account:{username}", settings.LOGIN_MAX_FAILURES_PER_ACCOUNT),
        (f"address:{where}", settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
    ]


def _window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def begin_attempt(username: str, address: str | None) -> Verdict:
    """Count one try; allowed only if no counter is over its limit.

    The three rows are locked first, in a fixed order (key order, as everywhere here, so two
    tries never wait on each other's rows the other way round). A counter whose window has
    passed starts again from zero. Then:

    - an address already at its own limit (for this account, or for all accounts) is refused,
      and the try counts only on that address's own counters, *not* on the account's: however
      often one address tries, it spends at most ``LOGIN_MAX_FAILURES`` of the account's
      budget per window, so it cannot lock the account for the person at another address;
    - any other try counts on all three counters, and is refused if one of them is now over.
    """
    now = timezone.now()
    limits = dict(_limits(username, address))
    keys = tuple(limits)
    pair_key, _account_key, address_key_ = keys
    with transaction.atomic():
        rows = {}
        for key in sorted(keys):
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now, "count": 0}
            )
            if row.window_started_at + _window() <= now:
                row.window_started_at = now
                row.count = 0
            rows[key] = row
        own = (pair_key, address_key_)
        address_spent = any(rows[key].count >= limits[key] for key in own)
        counted = own if address_spent else keys
        opens_at: datetime.datetime | None = None
        for key in sorted(counted):
            row = rows[key]
            row.count += 1
            row.save(update_fields=["window_started_at", "count"])
        for key in counted:
            row = rows[key]
            if row.count > limits[key]:
                ends = row.window_started_at + _window()
                opens_at = ends if opens_at is None else max(opens_at, ends)
    return Verdict(opens_at is None, keys, opens_at, counted)


def succeeded(verdict: Verdict) -> None:
    """A right password: the account's lock from this address ends, and the try is given back.

    The account-wide and address-wide counters only lose this one try, so a login by the real
    person does not hand a guesser elsewhere a fresh budget.
    """
    pair, *_others = verdict.keys
    others = [key for key in verdict.counted_keys() if key != pair]
    with transaction.atomic():
        _decrement(others)  # locks in key order, like begin_attempt: "account", "address"…
        LoginThrottle.objects.filter(key=pair).delete()  # … then "pair"
    _purge_expired()


def _purge_expired() -> None:
    """Keep the table small: counters whose window is over say nothing any more.

    Rows another try holds right now are skipped, so the clean-up never waits on a login.
    """
    with transaction.atomic():
        stale = LoginThrottle.objects.select_for_update(skip_locked=True).filter(
            window_started_at__lt=timezone.now() - _window()
        )
        ids = list(stale.values_list("pk", flat=True)[:1000])
        if ids:
            LoginThrottle.objects.filter(pk__in=ids).delete()


HELD_SESSION_KEY = "samverkan_login_held"


def hold(request: Any, verdict: Verdict) -> None:
    """A right password for an account that still owes its code: the try stays counted
    (its account/address pair is not cleared, so the code step's tries add to it) until the
    code is right as well (``release``). Clearing the pair at the password would give whoever
    has the password a fresh budget of code guesses at every new login."""
    pair, *_others = verdict.keys
    request.session[HELD_SESSION_KEY] = [k for k in verdict.counted_keys() if k != pair]


def release(request: Any) -> None:
    """The code was right too: the held password try is given back to the account and
    address counters (``succeeded`` for the code has cleared the pair)."""
    keys = request.session.pop(HELD_SESSION_KEY, None)
    if keys:
        with transaction.atomic():
            _decrement(sorted(str(key) for key in keys))


def give_back(verdict: Verdict) -> None:
    """Undo the count of a try in which no password was checked (a field was empty)."""
    with transaction.atomic():
        _decrement(list(verdict.counted_keys()))


def _decrement(keys: list[str]) -> None:
    rows = LoginThrottle.objects.select_for_update().filter(key__in=keys, count__gt=0)
    for row in rows.order_by("key"):
        row.count -= 1
        row.save(update_fields=["count"])
