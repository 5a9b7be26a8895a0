"""A webhook POST goes to the address that was checked, not to a second DNS answer.

The endpoint's host name is resolved once and every address it resolves to must be public
(unless ``WEBHOOK_ALLOW_PRIVATE``, for tests). The connection then goes to that checked
address, while TLS still sends the name (SNI) and checks the certificate against it. A DNS
answer that changes between the check and the connection (rebinding) therefore cannot
steer a delivery to an internal host. Failures are reported by kind only ("could not
connect", "timed out"): the raw exception would tell an employer about our network.

urllib3 (already under ``requests``) is used directly because it lets the connection's
address and the TLS server name differ.
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from flask_babel import gettext as _
from urllib3 import exceptions as http_errors

from .errors import ValidationFailed


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str       # the name, for the Host header, SNI and the certificate check
    authority: str  # host[:port] as written in the URL (IPv6 literals keep brackets)
    port: int
    path: str
    address: str    # the checked address the connection goes to


class TransportError(Exception):
    """The delivery did not reach the endpoint; ``str()`` says how, in general terms."""


# IPv6 prefixes whose addresses stand for an IPv4 address (RFC 4291 mapped and the
# deprecated "compatible" ::a.b.c.d, RFC 6052 NAT64, RFC 3056 6to4): a gateway or the
# host's own stack turns them into IPv4, so "[::127.0.0.1]" or "[64:ff9b::a00:1]" would
# reach loopback or private hosts while looking global. Refused always, even where
# private addresses are allowed (tests): no real endpoint needs them.
IPV4_CARRYING = tuple(ipaddress.ip_network(n) for n in (
    "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16"))


def embeds_ipv4(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version != 6 or ip in (ipaddress.ip_address("::1"), ipaddress.ip_address("::")):
        return False  # plain loopback/unspecified: judged by is_global like the rest
    return any(ip in net for net in IPV4_CARRYING)


def resolve(url: str, allow_private: bool) -> Target:
    """The URL's target with its checked address; ``ValidationFailed`` names the fault."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValidationFailed(_("Use an https:// URL."),
                               {"url": _("The URL must start with https://.")})
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        host = port = None
    if not host:
        raise ValidationFailed(_("The URL has no host."), {"url": _("Give a complete URL.")})
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ValidationFailed(_("Unknown host."),
                               {"url": _("This host name does not resolve.")}) from None
    addresses = [info[4][0] for info in infos]
    if any(embeds_ipv4(a) for a in addresses):
        raise ValidationFailed(_("IPv6 address carrying an IPv4 address."), {
            "url": _("Use the endpoint's own address or name: IPv6 addresses that "
                     "carry an IPv4 address (mapped, compatible, NAT64, 6to4) are "
                     "refused.")})
    if not allow_private and any(not ipaddress.ip_address(a).is_global for a in addresses):
        raise ValidationFailed(_("Private address."), {
            "url": _("The URL points at a private, loopback or reserved address.")})
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, authority=parts.netloc.rpartition("@")[2],
                  port=port, path=path, address=addresses[0])


def post(target: Target, body: bytes, headers: dict, timeout: float,
         ca_certs: str | None = None, connect_timeout: float | None = None) -> int:
    """POST ``body`` to the target's checked address; the HTTP status, redirects not
    followed. Raises ``TransportError`` when no answer came. Certificates are checked
    against certifi's authorities unless ``ca_certs`` names another bundle (tests).
    ``timeout`` bounds the whole exchange, ``connect_timeout`` the connection alone: an
    endpoint that never answers holds a webhook worker for seconds, not minutes."""
    connect = min(timeout, connect_timeout) if connect_timeout else timeout
    options = {"timeout": urllib3.Timeout(connect=connect, read=timeout, total=timeout),
               "retries": False}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.address, target.port, **options,
                                           cert_reqs="CERT_REQUIRED",
                                           ca_certs=ca_certs or certifi.where(),
                                           server_hostname=target.host)
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    try:
        with pool:
            response = pool.urlopen("POST", target.path, body=body, redirect=False,
                                    headers={**headers, "Host": target.authority})
            return response.status
    except http_errors.NewConnectionError:  # before TimeoutError: urllib3 derives it from that
        raise TransportError(_("could not connect")) from None
    except (TimeoutError, http_errors.TimeoutError):
        raise TransportError(_("timed out")) from None
    except http_errors.SSLError:
        raise TransportError(_("TLS handshake or certificate check failed")) from None
    except (http_errors.HTTPError, OSError):
        raise TransportError(_("could not connect")) from None
