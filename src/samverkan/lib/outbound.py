"""Requests this server makes to addresses that someone else chose (webhooks, harvesting).

Server-side request forgery: an address typed by a user, or read from another server's reply,
must not make this server talk to its own network. ``check_address`` allows only https (http
when the caller allows it), no user name or password in the address, and a host that resolves
only to public addresses (unless the caller allows internal ones). ``send`` then connects to
the address that was checked, not to whatever the name resolves to a moment later, and never
follows a redirect: a caller that wants to follow one checks the new address first.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


class AddressRefused(Exception):
    """The address may not be contacted; ``message`` says why, in Swedish."""

    def __init__(self, message: str, *, passing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        # A name that cannot be looked up now may be found later (a DNS fault): try again.
        self.passing = passing


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect (``ip``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}"


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``ip`` is on the internet (not private, loopback, link-local, reserved or
    multicast); an IPv4 address written as IPv6 is judged as IPv4."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not ip.is_multicast


def check_address(url: str, *, allow_http: bool, allow_private: bool) -> Target:
    """The address's parts and the IP address to connect to; AddressRefused if it may not be
    contacted."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("Adressen går inte att tolka.") from exc
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise AddressRefused(
            "Adressen måste börja med https://."
            if not allow_http
            else "Adressen måste börja med https:// eller http://."
        )
    if parts.username or parts.password:
        raise AddressRefused("Adressen får inte innehålla användarnamn eller lösenord.")
    host = parts.hostname or ""
    if not host:
        raise AddressRefused("Adressen saknar värdnamn.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"Värdnamnet {host} går inte att slå upp.", passing=True) from exc
    ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not ips:
        raise AddressRefused(f"Värdnamnet {host} går inte att slå upp.")
    if not allow_private:
        for ip in ips:
            if not is_public(ip):
                raise AddressRefused(
                    f"{host} pekar på en intern adress ({ip}); bara adresser på internet "
                    "är tillåtna."
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, str(ips[0]))


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked IP address; the Host header still names the host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._ip = target.ip

    def connect(self) -> None:
        raw = socket.create_connection((self._ip, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def send(
    target: Target,
    method: str,
    *,
    timeout: float,
    limit: int,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One request to the checked address (redirects are not followed); at most ``limit``
    bytes of the response body are read. Raises OSError or http.client.HTTPException when the
    exchange fails."""
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout)
    try:
        connection.request(method, target.path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read(limit))
    finally:
        connection.close()
