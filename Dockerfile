# DTI Portal — multi-stage image: build wheels, then a slim non-root runtime served by gunicorn.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml ./
COPY dtiportal ./dtiportal
COPY targets ./targets
COPY reports ./reports
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=dtiportal.settings.production \
    PORT=8000 WEB_CONCURRENCY=3
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 dti
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --chown=dti:dti manage.py ./
COPY --chown=dti:dti dtiportal ./dtiportal
COPY --chown=dti:dti targets ./targets
COPY --chown=dti:dti reports ./reports
COPY --chown=dti:dti templates ./templates
COPY --chown=dti:dti static ./static
COPY --chown=dti:dti fixtures ./fixtures
COPY --chown=dti:dti locale ./locale
# collectstatic needs settings that import; a throw-away key and URL are enough for that one step.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown dti:dti /app/media
USER dti
EXPOSE 8000
# Plain HTTP to the container itself (production settings exempt /healthz from the https redirect), with
# the first ALLOWED_HOSTS name as Host so the host check lets it through.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request as u,os; u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT','8000'), headers={'Host': os.environ['ALLOWED_HOSTS'].split(',')[0].strip().lstrip('.*') or 'localhost'}), timeout=4)"
CMD ["sh", "-c", "gunicorn dtiportal.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY} --timeout 60 --graceful-timeout 30 --max-requests 2000 --max-requests-jitter 200 --access-logfile -"]
