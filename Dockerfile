# riskgate's container image: the release's static (musl) binary on a small base.
#
# Nothing is compiled and nothing is RUN here: the release workflow (.github/workflows/release.yml)
# builds and checks the binaries first and puts them at dist/linux-amd64/riskgate and
# dist/linux-arm64/riskgate; this file only copies the one for the platform being built. So the
# image holds exactly the bytes whose checksum and attestations the release publishes.
#
# The base has a shell because GitLab CI runs a job's script with sh inside the job's image (the
# GitLab component overrides the entrypoint). It is pinned by the digest of its multi-platform
# index; Renovate or Dependabot roll the tag and the digest together. BASE can be overridden (the
# tests build this file against a local base image with buildah).
ARG BASE=docker.io/library/alpine:3.22@sha256:14358309a308569c32bdc37e2e0e9694be33a9d99e68afb0f5ff33cc1f695dce
FROM ${BASE}

ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG REVISION=unknown

LABEL org.opencontainers.image.title="riskgate" \
      org.opencontainers.image.description="A CI/CD security gate for the shared security ownership model" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

COPY --chmod=0755 dist/${TARGETOS}-${TARGETARCH}/riskgate /usr/local/bin/riskgate

# Not root: nobody's uid and gid, which every base has.
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/riskgate"]
CMD ["--help"]
