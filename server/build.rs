//! Embeds the browser bundle in the `spiral` binary, so that an installed binary
//! (`cargo install --path server`) serves pages that come alive with nothing beside it.
//! `scripts/build-frontend.sh` writes the bundle to TARGET/site/pkg; it is looked for in
//! `$SPIRAL_EMBED_SITE/pkg`, then `$CARGO_TARGET_DIR/site/pkg`, then the workspace's
//! `target/site/pkg`. Found nowhere, nothing is embedded and the server serves the bundle from
//! disk only; this script then runs again at every build until the bundle appears.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, into);
        } else {
            into.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SPIRAL_EMBED_SITE");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let candidates: Vec<PathBuf> = [
        std::env::var_os("SPIRAL_EMBED_SITE").map(PathBuf::from),
        std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("site")),
        Some(manifest.join("../target/site")),
    ]
    .into_iter()
    .flatten()
    .map(|site| site.join("pkg"))
    .collect();
    let found = candidates
        .iter()
        .find(|pkg| pkg.join("frontend_bg.wasm").is_file());
    let mut table = String::from(
        "/// The embedded bundle: (path under /pkg/, contents, entity tag).\n\
         pub static FILES: &[(&str, &[u8], &str)] = &[\n",
    );
    match found {
        Some(pkg) => {
            let mut all = Vec::new();
            files(pkg, &mut all);
            all.sort();
            for file in all {
                let bytes = std::fs::read(&file).expect("read a bundle file");
                let name = file
                    .strip_prefix(pkg)
                    .expect("under the bundle")
                    .to_string_lossy()
                    .replace('\\', "/");
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut hasher);
                let tag = format!("\"{:016x}-{}\"", hasher.finish(), bytes.len());
                let absolute = file.canonicalize().expect("a bundle file's path");
                table.push_str(&format!(
                    "    ({name:?}, include_bytes!({absolute:?}), {tag:?}),\n"
                ));
                println!("cargo:rerun-if-changed={}", file.display());
            }
            println!("cargo:rerun-if-changed={}", pkg.display());
        }
        None => {
            // Paths that do not exist yet: cargo runs this again until one does.
            for pkg in &candidates {
                println!(
                    "cargo:rerun-if-changed={}",
                    pkg.join("frontend_bg.wasm").display()
                );
            }
        }
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("bundle_files.rs");
    std::fs::write(out, table).expect("write the embedded bundle's table");
}
