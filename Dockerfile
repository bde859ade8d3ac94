# Scanbase API and worker image (one image, two commands).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

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

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/health/ping || exit 1
CMD ["sh", "-c", "python -m server migrate && python -m server serve --host 0.0.0.0 --port 8000 --workers ${API_WORKERS:-2}"]
