# The platform image: web (gunicorn), Celery worker and Celery beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

# WeasyPrint needs Pango. (Translations come compiled: the .mo files are in the repository.)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 ileanet
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --no-cache-dir .

COPY . .
# Static files are collected at build time; the settings need placeholders to import. The
# uploads' mount point is made here so that compose's named volume belongs to the app user.
RUN DATABASE_URL=postgres://build@localhost/build DJANGO_SECRET_KEY=build-only \
    DJANGO_ALLOWED_HOSTS=localhost SITE_URL=http://localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown -R ileanet /app

USER ileanet
EXPOSE 8000
CMD ["gunicorn", "ileanet.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
