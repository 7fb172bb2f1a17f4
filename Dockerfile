# Network Compass: the web app on a slim Python image, as a non-root user.
# Build: docker build -t network-compass .
# Run:   docker run -p 8000:8000 -e NC_DATABASE_URL=postgresql+psycopg://... network-compass
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NC_DATABASE_URL=sqlite:////data/network-compass.db

# Pango and Cairo for the PDF reports (WeasyPrint) and the Word reports' charts (CairoSVG),
# and a font with the accents of Spanish and French.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libcairo2 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 compass \
    && mkdir /data && chown compass /data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY criteria ./criteria
COPY scoring ./scoring
COPY templates ./templates
COPY static ./static
COPY seed_data ./seed_data
COPY migrations ./migrations
# Editable install: the app finds templates/, static/, seed_data/ and migrations/ next to it.
RUN pip install -e .

USER compass
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# The same command as the README's `make run` ends in, listening on all interfaces.
CMD ["network-compass", "serve", "--demo", "--host", "0.0.0.0"]
