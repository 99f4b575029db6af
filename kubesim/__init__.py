"""The sandbox cluster: a Kubernetes API emulator served over HTTP for tests, demos, benchmarks.

A distribution of its own (``kubesim/pyproject.toml``), installed beside the bot for development
only: it never imports ``bot``, and the product's wheel and image do not carry it.
"""
