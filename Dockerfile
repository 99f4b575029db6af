# First working image: the bot in Socket Mode by default. Hardening (digest pins, read-only root,
# distroless) is its own issue.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir --disable-pip-version-check -c constraints.txt . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin bot
COPY config ./config

USER 10001
ENTRYPOINT ["k8s-chatops"]
CMD ["run", "--config", "/app/config/k8s-chatops.yaml"]
