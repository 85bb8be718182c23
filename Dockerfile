# dolgo-pay: a small image running the `dolgo-pay` console script as a non-root user.
#   docker build -t dolgo-pay .
#   docker run --rm -e DOLGO_MODE=production -e ... dolgo-pay serve
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY domain domain
COPY application application
COPY adapters adapters
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DOLGO_HOST=0.0.0.0
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels dolgo-pay \
    && useradd --system --uid 10001 --home-dir /var/lib/dolgo-pay --create-home dolgo
USER 10001
WORKDIR /var/lib/dolgo-pay
EXPOSE 8000
ENTRYPOINT ["dolgo-pay"]
CMD ["serve"]
