"""core/v1 Services and networking.k8s.io/v1 Ingresses: what kubectl create service and
create ingress send."""

from __future__ import annotations

from kubesim.apiserver.messages.field import Field
from kubesim.apiserver.messages.field import field as _f

MESSAGES: dict[str, dict[int, Field]] = {
    "Service": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "ServiceSpec"),
        3: _f("status", "Empty"),
    },
    "ServiceSpec": {
        1: _f("ports", "ServicePort", repeated=True),
        2: _f("selector", "map"),
        3: _f("clusterIP"),
        4: _f("type"),
        5: _f("externalIPs", repeated=True),
        7: _f("sessionAffinity"),
        8: _f("loadBalancerIP"),
        9: _f("loadBalancerSourceRanges", repeated=True),
        10: _f("externalName"),
        11: _f("externalTrafficPolicy"),
        12: _f("healthCheckNodePort", "int"),
        13: _f("publishNotReadyAddresses", "bool"),
        17: _f("ipFamilyPolicy", pointer=True),
        18: _f("clusterIPs", repeated=True),
        19: _f("ipFamilies", repeated=True),
        20: _f("allocateLoadBalancerNodePorts", "bool", pointer=True),
        21: _f("loadBalancerClass", pointer=True),
        22: _f("internalTrafficPolicy", pointer=True),
    },
    "ServicePort": {
        1: _f("name"),
        2: _f("protocol"),
        3: _f("port", "int"),
        4: _f("targetPort", "intstr"),
        5: _f("nodePort", "int"),
        6: _f("appProtocol", pointer=True),
    },
    "TypedLocalObjectReference": {1: _f("apiGroup", pointer=True), 2: _f("kind"), 3: _f("name")},
    # networking.k8s.io/v1: kubectl create ingress
    "Ingress": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "IngressSpec"),
        3: _f("status", "Empty"),
    },
    "IngressSpec": {
        1: _f("defaultBackend", "IngressBackend"),
        2: _f("tls", "IngressTLS", repeated=True),
        3: _f("rules", "IngressRule", repeated=True),
        4: _f("ingressClassName", pointer=True),
    },
    "IngressBackend": {
        3: _f("resource", "TypedLocalObjectReference"),
        4: _f("service", "IngressServiceBackend"),
    },
    "IngressServiceBackend": {1: _f("name"), 2: _f("port", "ServiceBackendPort")},
    "ServiceBackendPort": {1: _f("name"), 2: _f("number", "int")},
    "IngressTLS": {1: _f("hosts", repeated=True), 2: _f("secretName")},
    "IngressRule": {1: _f("host"), 2: _f("", "IngressRuleValue")},  # embedded: inlined in JSON
    "IngressRuleValue": {1: _f("http", "HTTPIngressRuleValue")},
    "HTTPIngressRuleValue": {1: _f("paths", "HTTPIngressPath", repeated=True)},
    "HTTPIngressPath": {
        1: _f("path"),
        2: _f("backend", "IngressBackend"),
        3: _f("pathType", pointer=True),
    },
}
