# The production image: gunicorn on :8000 as an unprivileged user, production settings.
# docker-compose.yml runs it as web, worker and scheduler after a one-off migrate.
#
# CI has no Docker daemon: .ci/smoke_production.sh runs these RUN steps in the same order
# in a fresh virtualenv, then the processes below, and checks them over HTTP. Change
# both together.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_WAIT_POLICY=PASSIVE \
    DJANGO_SETTINGS_MODULE=factcheck.settings.production \
    FACTCHECK_VAR_DIR=/var/lib/factcheck

WORKDIR /app
COPY . /app

# 1. install; 2. compile the interface translations; 3. collect the static files with the
# production settings (hashed, compressed names). Steps 2 and 3 run in build mode
# (FACTCHECK_BUILD=1): no database, Redis or secret exists yet, and a process in that
# mode serves nothing (factcheck/settings/production.py).
RUN pip install --no-cache-dir -e '.[production]' \
 && FACTCHECK_BUILD=1 python manage.py compile_translations \
 && FACTCHECK_BUILD=1 python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/factcheck \
      --shell /usr/sbin/nologin factcheck \
 && mkdir -p /var/lib/factcheck \
 && chown factcheck:factcheck /var/lib/factcheck

# The code stays root-owned and read-only to the service; it writes only under
# FACTCHECK_VAR_DIR (search index, embedding cache, media), a volume in compose.
USER factcheck
VOLUME ["/var/lib/factcheck"]
EXPOSE 8000

# /healthz runs one SELECT 1; the probe is stdlib only (factcheck/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["python", "-m", "factcheck.healthcheck", "http://127.0.0.1:8000/healthz"]

# Workers: WEB_CONCURRENCY (gunicorn reads it; default 1). Each loads the embedder.
# No control socket: it would sit in $HOME, the shared volume.
CMD ["gunicorn", "factcheck.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "120", \
     "--no-control-socket", "--access-logfile", "-"]
