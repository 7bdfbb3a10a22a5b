# Sourced: migrations, then uvicorn. SQLite by default; set SOURCED_DATABASE_URL for PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SOURCED_DATABASE_URL=sqlite:////data/sourced.db

WORKDIR /srv/sourced

COPY pyproject.toml README.md alembic.ini ./
COPY requirements/run.txt ./requirements/run.txt
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
COPY docker/start.sh ./docker/start.sh

# The locked versions (with hashes) first, then the project itself without re-resolving.
RUN pip install --no-cache-dir --require-hashes -r requirements/run.txt \
    && pip install --no-cache-dir --no-deps . \
    && useradd --create-home --uid 10001 sourced \
    && mkdir -p /data \
    && chown sourced:sourced /data

USER 10001
EXPOSE 8000
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"]

CMD ["sh", "docker/start.sh"]
