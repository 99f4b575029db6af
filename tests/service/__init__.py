"""Tests of the service: the request flow, confirmations and the audit trail."""
