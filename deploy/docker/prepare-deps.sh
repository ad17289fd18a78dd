#!/bin/sh
# Image build, dependency layer: placeholder sources for the workspace's crates (so that
# only the manifests decide what is compiled here), and vendored sources when present.
set -eu
for crate in shared shared/contract services/staffing services/training-record \
             services/process-change services/scheduling tests; do
    mkdir -p "$crate/src"
    : > "$crate/src/lib.rs"
done
mkdir -p src tests/src/bin
echo 'fn main() {}' > src/main.rs
# Every explicit target path of the tests crate and of the root package (continuity-cli,
# the README walkthrough test) must exist for the workspace to load.
sed -n 's/^path = "\(.*\)"/\1/p' tests/Cargo.toml | while read -r path; do
    mkdir -p "tests/$(dirname "$path")"
    echo 'fn main() {}' > "tests/$path"
done
sed -n 's/^path = "\(.*\)"/\1/p' Cargo.toml | while read -r path; do
    mkdir -p "$(dirname "$path")"
    echo 'fn main() {}' > "$path"
done
rm -f vendor/Cargo.lock
if [ -n "$(ls -A vendor)" ]; then
    # Beside the repository's own settings (SQLite's build flags).
    cat >> .cargo/config.toml <<'TOML'

[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"
TOML
    echo "dependencies: vendored ($(ls vendor | wc -l) crates)"
else
    rmdir vendor
    echo "dependencies: from crates.io"
fi
