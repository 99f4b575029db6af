# k8s-chatops: the bot only (bot/, never the kubesim emulator), as a non-root process that writes
# nothing to its root filesystem. Kubernetes probes the ops port, so the image has no HEALTHCHECK.
#
# The stages' steps are replayed outside Docker by tests/deploy/test_image.py (build the wheel,
# install it into a fresh virtualenv from the pinned set, run the CLI): keep the two in step.

# An exact tag of the slim Debian image; pin its digest as well where your registry mirrors it
# (--build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:...).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- build: the wheel, and a virtualenv holding it and its pinned dependencies --------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
# The wheel's build requirements are pinned in pyproject.toml's [build-system]; its runtime
# dependencies are pinned in pyproject.toml, their own dependencies in constraints.txt.
# The virtualenv gets no pip or setuptools of its own: the base image's pip installs into it.
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && python -m venv --without-pip /opt/k8s-chatops \
    && python -m pip --python /opt/k8s-chatops/bin/python install --no-cache-dir \
       --constraint constraints.txt /wheels/*.whl \
    && /opt/k8s-chatops/bin/k8s-chatops --help > /dev/null

# --- final: the virtualenv and the example settings, nothing else --------------------------
FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="k8s-chatops" \
      org.opencontainers.image.description="Run Kubernetes from Slack with kubectl's commands and output." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
# A fixed UID/GID (the Deployment's securityContext names the same numbers); no home, no shell.
RUN groupadd --gid 10001 k8s-chatops \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin k8s-chatops
COPY --from=build /opt/k8s-chatops /opt/k8s-chatops
WORKDIR /app
# The default settings file (config/k8s-chatops.yaml relative to /app); the Deployment mounts its
# ConfigMap over /app/config.
COPY config/k8s-chatops.yaml ./config/k8s-chatops.yaml
# Bytecode was compiled at install time; nothing is written at run time (read-only root
# filesystem), and TMPDIR names the one writable place a pod may mount.
ENV PATH=/opt/k8s-chatops/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp
USER 10001:10001
# 8080: the ops port (probes, metrics); 3000: Slack's requests in HTTP mode.
EXPOSE 8080 3000
ENTRYPOINT ["k8s-chatops"]
CMD ["run"]
