# The funding service; see service.Dockerfile for the shared recipe.
FROM python:3.11-slim AS build
ARG UV_VERSION=0.9.30
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock ./
COPY shared ./shared
COPY services ./services
COPY deploy/cli ./deploy/cli
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --system --uid 10001 pactstream
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PACTSTREAM_HOST=0.0.0.0
USER pactstream
EXPOSE 8002
CMD ["python", "-m", "pactstream_cli", "serve", "funding", "--host", "0.0.0.0"]
