# Production image: gunicorn serving bridge:create_app(); runs as a non-root user; no secrets inside.
# Configure with BRIDGE_* environment variables (config/example.env). Build: docker build -t credential-bridge .
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# DejaVu Sans for the PDF certificates (Latin, Greek and Cyrillic).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
RUN groupadd --system bridge && useradd --system --gid bridge --home-dir /app --shell /usr/sbin/nologin bridge

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY bridge ./bridge
COPY connectors ./connectors
COPY scorm ./scorm
COPY credentials ./credentials
COPY sandbox ./sandbox
RUN pip install -e . && mkdir -p /data && chown bridge:bridge /data

USER bridge
ENV BRIDGE_INSTANCE_DIR=/data BRIDGE_PROXY_FIX=1
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# Migrations run once at start-up (bridge db upgrade), then gunicorn serves the factory.
CMD ["sh", "-c", "bridge db upgrade && exec gunicorn -c python:bridge.gunicorn_conf --bind 0.0.0.0:8000 --workers ${BRIDGE_WORKERS:-2} --forwarded-allow-ips='*' 'bridge:create_app()'"]
