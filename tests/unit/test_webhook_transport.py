"""Webhook deliveries connect to the address that was checked, and say little when they fail.

A receiver listens on 127.0.0.1; a made-up host name resolves to it the first time and to
another loopback address (where nothing listens) on every later lookup, as a rebinding DNS
server would answer. Private addresses are allowed here (as in every test) so that the
name's first answer passes the check; production refuses them outright.
"""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from traveler_portal.domain import webhook_transport
from traveler_portal.domain.errors import ValidationFailed

NAME = "hooks.rebinding.test"


class _Receiver(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.headers["Host"], self.path, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture()
def rebinding_dns(monkeypatch):
    """NAME resolves to 127.0.0.1 once, then to 127.0.0.2; other names as usual."""
    real, answers = socket.getaddrinfo, ["127.0.0.1"]

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        address = answers.pop() if answers else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_the_delivery_goes_to_the_checked_address_under_the_name(app, receiver, rebinding_dns):
    with app.app_context():
        target = webhook_transport.resolve(f"http://{NAME}:{receiver}/hook?x=1", True)
        status = webhook_transport.post(target, b'{"a":1}', {"X-Test": "1"}, timeout=5)
    assert status == 204
    assert _Receiver.seen == [(f"{NAME}:{receiver}", "/hook?x=1", b'{"a":1}')]


def test_a_failed_delivery_names_its_kind_not_the_network_error(app, rebinding_dns):
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with app.app_context():
        target = webhook_transport.resolve(f"http://{NAME}:{closed_port}/hook", True)
        with pytest.raises(webhook_transport.TransportError) as failed:
            webhook_transport.post(target, b"{}", {}, timeout=5)
    assert str(failed.value) == "could not connect"


def test_every_address_of_the_name_must_be_public_in_production(app):
    with app.app_context():
        for url in ("https://127.0.0.1/x", "https://[::1]/x", "https://169.254.169.254/x",
                    "https://[::ffff:10.0.0.1]/x", "https://localhost:8443/x"):
            with pytest.raises(ValidationFailed) as refused:
                webhook_transport.resolve(url, False)
            assert "url" in refused.value.fields, url
        with pytest.raises(ValidationFailed):
            webhook_transport.resolve("https://example.test:notaport/x", False)


@pytest.fixture()
def tls_receiver(tmp_path):
    """An HTTPS receiver on 127.0.0.1 whose certificate names NAME only, issued by a
    certificate authority made for this test."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def cert(subject, key, issuer, issuer_key, extensions):
        now = datetime.datetime.now(datetime.UTC)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test webhook CA")])
    ca = cert(ca_name, ca_key, ca_name, ca_key,
              [(x509.BasicConstraints(ca=True, path_length=None), True)])
    leaf = cert(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)]), key, ca_name,
                ca_key, [(x509.SubjectAlternativeName([x509.DNSName(NAME)]), False)])
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(pem) + key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _Receiver.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], str(tmp_path / "ca.pem")
    server.shutdown()
    server.server_close()


def test_over_https_the_certificate_is_checked_against_the_name(app, tls_receiver,
                                                                rebinding_dns):
    """The connection goes to the checked address, yet TLS verifies the endpoint's name:
    the certificate for NAME is accepted, and the same server under another name is not."""
    port, ca = tls_receiver
    with app.app_context():
        target = webhook_transport.resolve(f"https://{NAME}:{port}/hook", True)
        assert webhook_transport.post(target, b"{}", {}, timeout=5, ca_certs=ca) == 204
        assert _Receiver.seen == [(f"{NAME}:{port}", "/hook", b"{}")]
        impostor = webhook_transport.Target(scheme="https", host="other.test",
                                            authority=f"other.test:{port}", port=port,
                                            path="/hook", address="127.0.0.1")
        with pytest.raises(webhook_transport.TransportError) as refused:
            webhook_transport.post(impostor, b"{}", {}, timeout=5, ca_certs=ca)
    assert str(refused.value) == "TLS handshake or certificate check failed"
    assert len(_Receiver.seen) == 1


@pytest.mark.parametrize("host", [
    "[::127.0.0.1]",          # IPv4-compatible (::/96)
    "[::ffff:127.0.0.1]",     # IPv4-mapped
    "[::ffff:7f00:1]",        # the same, in hexadecimal
    "[64:ff9b::7f00:1]",      # NAT64 well-known prefix
    "[64:ff9b::10.0.0.1]",
    "[2002:7f00:1::1]",       # 6to4 of 127.0.0.1
    "[2002:a9fe:a9fe::]",     # 6to4 of 169.254.169.254 (cloud metadata)
])
@pytest.mark.parametrize("allow_private", [False, True])
def test_ipv6_forms_that_reach_ipv4_are_refused_even_where_private_is_allowed(app, host,
                                                                              allow_private):
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        webhook_transport.resolve(f"https://{host}:8443/hook", allow_private)
    assert "IPv4" in refused.value.fields["url"]


def test_native_ipv6_addresses_are_not_taken_for_ipv4_forms():
    for address in ("2606:4700:4700::1111", "2001:db8::1", "::1", "fe80::1%2"):
        assert not webhook_transport.embeds_ipv4(address), address


def test_an_endpoint_that_never_answers_times_out(app):
    """A listener that accepts the connection and says nothing: the delivery gives up
    after its timeout with the general reason, instead of holding a worker."""
    silent = socket.create_server(("127.0.0.1", 0))
    try:
        with app.app_context():
            target = webhook_transport.resolve(
                f"http://127.0.0.1:{silent.getsockname()[1]}/hook", True)
            with pytest.raises(webhook_transport.TransportError) as failed:
                webhook_transport.post(target, b"{}", {}, timeout=0.5, connect_timeout=0.2)
        assert str(failed.value) == "timed out"
    finally:
        silent.close()
