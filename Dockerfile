# Karakum Exchange: build the virtualenv in one stage, run it as a non-root user in a slim one.
# Configure with environment variables (docs/security.md):
#   KARAKUM_SERVER_KEY  32-byte key (hex or base64) that encrypts API secrets; set it in
#                       production (else one is generated into /data/server.key)
#   KARAKUM_DB_URL      postgresql://... for production; empty = SQLite file under /data
#   KARAKUM_HOST, KARAKUM_PORT  bind address (default 0.0.0.0:8080)
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY engine/ engine/
COPY ledger/ ledger/
COPY exchange/ exchange/
COPY api/ api/
RUN python -m venv /opt/karakum \
    && /opt/karakum/bin/pip install --no-cache-dir .

FROM python:3.11-slim
LABEL org.opencontainers.image.title="Karakum Exchange" \
      org.opencontainers.image.description="Spot exchange for virtual assets: karakum serve"
ENV PATH=/opt/karakum/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    KARAKUM_HOST=0.0.0.0 \
    KARAKUM_PORT=8080
RUN groupadd --system --gid 10001 karakum \
    && useradd --system --uid 10001 --gid karakum --no-create-home --home-dir /data karakum \
    && mkdir /data \
    && chown karakum:karakum /data
COPY --from=build /opt/karakum /opt/karakum
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# Ready = the store is open and the sequencer accepts commands; slim has no curl, so Python asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('KARAKUM_PORT', '8080') + '/v1/health/ready', timeout=4)"]
# sh expands the bind variables; exec hands PID 1 to karakum so SIGTERM stops it cleanly.
CMD ["sh", "-c", "exec karakum serve --host \"$KARAKUM_HOST\" --port \"$KARAKUM_PORT\" --data-dir /data"]
