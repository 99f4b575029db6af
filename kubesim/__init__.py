"""The sandbox cluster: a Kubernetes API emulator served over HTTP for tests, demos, benchmarks."""
