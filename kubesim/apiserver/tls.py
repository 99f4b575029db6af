"""A self-signed serving certificate for the sandbox, made once per process with ``openssl``.

kubectl (client-go) only sends a kubeconfig's bearer token over TLS, so the sandbox serves HTTPS
and writes the certificate into the kubeconfig as its ``certificate-authority-data``.
"""

from __future__ import annotations

import atexit
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_cached: Certificate | None = None


@dataclass(frozen=True, slots=True)
class Certificate:
    """PEM files of a certificate for 127.0.0.1/localhost and its key."""

    cert: Path
    key: Path

    def pem(self) -> bytes:
        """The certificate, PEM encoded (what a kubeconfig trusts)."""
        return self.cert.read_bytes()

    def server_context(self) -> ssl.SSLContext:
        """An SSL context serving this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def available() -> bool:
    """Whether a certificate can be made (the ``openssl`` binary is installed)."""
    return shutil.which("openssl") is not None


def certificate() -> Certificate:
    """The process-wide sandbox certificate, generated on first use."""
    global _cached  # noqa: PLW0603 -- one certificate per process, made lazily
    if _cached is None:
        workdir = Path(tempfile.mkdtemp(prefix="k8s-sandbox-tls-"))
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
        cert, key = workdir / "tls.crt", workdir / "tls.key"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "3650",
                "-subj",
                "/CN=k8s-chatops-sandbox",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        _cached = Certificate(cert, key)
    return _cached
