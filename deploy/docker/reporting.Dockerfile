# The reporting service. Every image follows this recipe: it holds shared, the CLI that
# serves and this one service, installed from the lock without the dev and bench groups.
FROM python:3.11-slim AS build
ARG UV_VERSION=0.9.30
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock ./
# uv reads the workspace from every member's manifest; only these are built.
COPY services/commitments/pyproject.toml ./services/commitments/pyproject.toml
COPY services/funding/pyproject.toml ./services/funding/pyproject.toml
COPY bench/pyproject.toml ./bench/pyproject.toml
COPY shared ./shared
COPY deploy/cli ./deploy/cli
COPY services/reporting ./services/reporting
RUN uv sync --frozen --no-dev --no-default-groups --no-editable \
    --package pactstream-cli --extra reporting

FROM python:3.11-slim
RUN useradd --system --uid 10001 pactstream
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PACTSTREAM_HOST=0.0.0.0
USER pactstream
EXPOSE 8003
ENV PACTSTREAM_PORT=8003
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=6 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PACTSTREAM_PORT'] + '/readyz', timeout=2)"]
CMD ["python", "-m", "pactstream_cli", "serve", "reporting", "--host", "0.0.0.0"]
