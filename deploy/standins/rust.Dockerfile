# Stand-in for the official Rust image where no image can be pulled: the machine's own
# toolchain (its bin/, lib/ and libexec/, copied in as the build context) on the local
# Debian base, with the C toolchain and OpenSSL headers the official image has.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev make pkg-config libssl-dev \
       ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY . /usr/local/rust/
ENV PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN cargo --version && rustc --version
