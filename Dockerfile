# Scanbase API and worker image (one image, three commands: serve, worker, migrate).
# Migrations are not run at start: several replicas would race; run `python -m server migrate`
# once before them (the compose file's one-shot `migrate` service).
FROM python:3.11-slim-bookworm

# ENVIRONMENT=production: every command refuses a placeholder SECRET_KEY (set a real one).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 ENVIRONMENT=production

# Tesseract with French and English data for the OCR engine; libgl-free OpenCV is in the wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra libglib2.0-0 curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY schema ./schema
COPY jobs ./jobs
COPY migrations ./migrations
RUN pip install .

RUN useradd --create-home --uid 10001 scanbase && mkdir -p /app/var && chown scanbase /app/var
USER scanbase

# 8000: the API; 9100: a worker's metrics (WORKER_METRICS_PORT)
EXPOSE 8000 9100
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/health/ping || exit 1
# exec: uvicorn gets SIGTERM itself and shuts down gracefully
CMD ["sh", "-c", "exec python -m server serve --host 0.0.0.0 --port 8000 --workers ${API_WORKERS:-2}"]
