"""The demo cluster's custom resources: cert-manager's Certificate CRD and a few Certificates.

On-call engineers meet CRDs mostly through operators like cert-manager, so the demo carries one
with its real printer columns (``kubectl get certificates`` shows READY, SECRET, AGE; ``-o wide``
adds ISSUER and STATUS), settled as the cert-manager controller would have left them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kubesim.machinery.clock import rfc3339
from kubesim.scenarios.backdating import backdated
from kubesim.storage import crds
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

_READY = '.status.conditions[?(@.type=="Ready")]'
CERTIFICATES: Obj = {
    "metadata": {
        "name": "certificates.cert-manager.io",
        "labels": {"app": "cert-manager", "app.kubernetes.io/name": "cert-manager"},
    },
    "spec": {
        "group": "cert-manager.io",
        "names": {
            "kind": "Certificate",
            "listKind": "CertificateList",
            "plural": "certificates",
            "singular": "certificate",
            "shortNames": ["cert", "certs"],
            "categories": ["cert-manager"],
        },
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
                "additionalPrinterColumns": [
                    {"name": "Ready", "type": "string", "jsonPath": f"{_READY}.status"},
                    {"name": "Secret", "type": "string", "jsonPath": ".spec.secretName"},
                    {
                        "name": "Issuer",
                        "type": "string",
                        "jsonPath": ".spec.issuerRef.name",
                        "priority": 1,
                    },
                    {
                        "name": "Status",
                        "type": "string",
                        "jsonPath": f"{_READY}.message",
                        "priority": 1,
                    },
                    {
                        "name": "Age",
                        "type": "date",
                        "jsonPath": ".metadata.creationTimestamp",
                        "description": "CreationTimestamp is a timestamp representing the "
                        "server time when this object was created. It is not guaranteed to be "
                        "set in happens-before order across separate operations. Clients may "
                        "not set this value. It is represented in RFC3339 form and is in UTC.",
                    },
                ],
            }
        ],
    },
}


def _certificate(
    namespace: str, name: str, dns: str, born: datetime, *, ready: bool
) -> tuple[datetime, Obj]:
    issued = born + timedelta(minutes=1)
    condition = {
        "type": "Ready",
        "status": "True" if ready else "False",
        "lastTransitionTime": rfc3339(issued if ready else born),
        "observedGeneration": 1,
        "reason": "Ready" if ready else "DoesNotExist",
        "message": "Certificate is up to date and has not expired"
        if ready
        else "Issuing certificate as Secret does not exist",
    }
    status: Obj = {"conditions": [condition]}
    if ready:
        status |= {
            "notBefore": rfc3339(issued),
            "notAfter": rfc3339(issued + timedelta(days=90)),
            "renewalTime": rfc3339(issued + timedelta(days=60)),
            "revision": 1,
        }
    return born, {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "secretName": f"{name}-tls",
            "dnsNames": [dns],
            "issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt-prod"},
        },
        "status": status,
    }


def load_certificates(store: Store, now: datetime) -> None:
    """The Certificate CRD (installed 10 days ago) and three Certificates in prod and staging."""
    installed = now - timedelta(days=10)
    with backdated(store, installed):
        crd = store.create(
            crds.CRD,
            {**CERTIFICATES, "status": crds.established(CERTIFICATES, at=rfc3339(installed))},
        )
    (certificate,) = crds.types_of(crd)
    for born, obj in (
        _certificate("prod", "api", "api.acme.example", now - timedelta(days=7), ready=True),
        _certificate("prod", "web", "www.acme.example", now - timedelta(days=7), ready=True),
        _certificate(
            "staging", "api", "api.staging.acme.example", now - timedelta(hours=20), ready=False
        ),
    ):
        with backdated(store, born):
            store.create(certificate, obj)
