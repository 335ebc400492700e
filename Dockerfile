FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 OMP_WAIT_POLICY=PASSIVE
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e '.[elasticsearch,rq]' gunicorn \
 && python manage.py compile_translations \
 && DJANGO_SETTINGS_MODULE=factcheck.settings.dev python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "factcheck.wsgi:application", "--bind", "0.0.0.0:8000"]
