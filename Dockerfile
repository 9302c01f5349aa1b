# syntax=docker/dockerfile:1
# The AppCopy operator's image: the operator as one bundled JavaScript file (dependencies
# inside, scripts/build-bundle.ts) on a distroless Node.js 24 base, running as a non-root user.
#
#   docker build -t ghcr.io/rainbond/appcopy-operator:0.1.0 .
#
# Every RUN below is scripts/build-image-context.sh. `npm run image` builds this file as it is
# with buildah, and test/integration/image/ checks what the image holds and runs it as the chart
# does (docs/image.md).
#
# Bases: the build stage is Debian 12 with Node 24 and npm; the runtime is Google's distroless
# Node.js 24 on the same Debian 12, so anything compiled in the build stage runs in the
# runtime. Distroless holds Node and its libraries only (no shell, no package manager: less to
# patch and nothing for an intruder to use) and defines the non-root user 65532 ("nonroot").
# Pin both by digest in a release pipeline (FROM image:tag@sha256:...).

FROM node:24-bookworm-slim AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY package.json package-lock.json ./
# The workspace package's manifest too: npm ci links it (packages/kube-runtime, the runtime).
COPY packages/kube-runtime/package.json packages/kube-runtime/
COPY scripts/build-image-context.sh scripts/
RUN --mount=type=cache,target=/root/.npm sh scripts/build-image-context.sh install
COPY tsconfig.json ./
COPY scripts/build-bundle.ts scripts/
COPY src src
COPY packages/kube-runtime/src packages/kube-runtime/src
RUN --mount=type=cache,target=/root/.npm sh scripts/build-image-context.sh assemble /app

FROM gcr.io/distroless/nodejs24-debian12:nonroot
LABEL org.opencontainers.image.title="appcopy-operator" \
      org.opencontainers.image.description="Kubernetes operator that copies Rainbond applications declaratively, exactly once per AppCopy resource" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the process: the code cannot be changed at run time.
COPY --from=build /app /app
# Numeric, so that Kubernetes can verify runAsNonRoot without looking inside the image.
USER 65532:65532
EXPOSE 8080
# The base's entrypoint is the node binary.
CMD ["dist/main.js"]
