//! Confinement: a policy reads nothing outside its root, and nothing in the engine touches the network.
//!
//! Files: `import "../x.accord"`, an import through a symbolic link that leaves the root, a test's
//! `load "../x.json"`, a test's `load` through such a link, and the REPL's `:load` of either — each is
//! refused with exit 1 and a diagnostic located at the offending text (`[file:line:col]`), and the
//! secret file's content never shows. Network: the dependency tree of the engine (the `[dependencies]`
//! of `Cargo.toml`, closed over `Cargo.lock`) holds no networking crate, and no source file under
//! `src/` names a socket API; both checks are also run on planted text, so they are known to fail when
//! someone adds one.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{accord_in, root};

const AS_OF: &str = "2025-06-30";
const SECRET: &str = "TOP_SECRET_ROW";

fn scratch(name: &str) -> common::Scratch {
    let dir = common::Scratch::new(&format!("confine-{name}"));
    std::fs::create_dir_all(dir.join("policy")).expect("scratch dir");
    std::fs::write(
        dir.join("secret.json"),
        format!("{{\"company\": [[\"{SECRET}\", \"MX\"]]}}"),
    )
    .expect("secret data");
    std::fs::write(
        dir.join("secret.accord"),
        format!("company({SECRET}, MX).\n"),
    )
    .expect("secret policy");
    // `link.json` and `link.accord` in the policy directory point at the secrets outside it.
    for (link, target) in [
        ("link.json", "secret.json"),
        ("link.accord", "secret.accord"),
    ] {
        if name.ends_with(&format!("{}-link", &link[5..])) {
            std::os::unix::fs::symlink(dir.join(target), dir.join("policy").join(link))
                .expect("symlink");
        }
    }
    dir
}

const DECLS: &str = "relation company(id: text, country: text).\ncompany(c, MX) ⇒ mexican(c).\n";

/// Exit 1, the code, a located diagnostic in the policy, and no secret anywhere.
fn refused(out: &common::Output, code: &str, located: &str) {
    assert_eq!(
        out.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains(&format!("accord::{code}")),
        "expected accord::{code}:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("[{located}")),
        "expected a location in {located}:\n{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
        "the secret leaked:\n{}{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn an_import_cannot_leave_the_policy_root() {
    for (name, import) in [
        ("dotdot", "../secret.accord"),
        ("import-accord-link", "link.accord"),
    ] {
        let dir = scratch(name);
        std::fs::write(
            dir.join("policy/main.accord"),
            format!("import \"{import}\".\n{DECLS}"),
        )
        .expect("policy");
        let out = accord_in(
            &dir,
            &["check", "policy/main.accord", "--as-of", AS_OF],
            None,
        );
        refused(&out, "import_outside_root", "policy/main.accord:1:8]");
        let out = accord_in(
            &dir,
            &["eval", "policy/main.accord", "--as-of", AS_OF],
            None,
        );
        refused(&out, "import_outside_root", "policy/main.accord:1:8]");
    }
}

#[test]
fn a_test_cannot_load_data_outside_the_policy_root() {
    for (name, load) in [
        ("test-dotdot", "../secret.json"),
        ("test-json-link", "link.json"),
    ] {
        let dir = scratch(name);
        std::fs::write(
            dir.join("policy/main.accord"),
            format!("{DECLS}test \"peeks\" {{\n  load \"{load}\".\n  expect mexican(ACME).\n}}\n"),
        )
        .expect("policy");
        let out = accord_in(&dir, &["test", "policy", "--as-of", AS_OF], None);
        refused(&out, "load_outside_root", "policy/main.accord:4:3]");
    }
}

#[test]
fn the_repl_cannot_load_outside_its_roots() {
    for (name, path) in [
        ("repl-dotdot", "../secret.json"),
        ("repl-json-link", "link.json"),
        ("repl-policy-dotdot", "../secret.accord"),
        ("repl-accord-link", "link.accord"),
    ] {
        let dir = scratch(name);
        std::fs::write(dir.join("policy/main.accord"), DECLS).expect("policy");
        // The session runs in the policy directory: its roots are that directory (the working
        // directory) and the policy's root, the same directory.
        let script = format!(":load {path}\n:facts company\n");
        let out = accord_in(
            &dir.join("policy"),
            &["repl", "main.accord", "--strict", "--as-of", AS_OF],
            Some(&script),
        );
        refused(&out, "load_outside_root", "<repl>:1:1:7]");
        // The session went on unchanged: no row was loaded.
        assert!(!out.stdout.contains("loaded"), "{}", out.stdout);
    }
}

#[test]
fn the_repl_loads_inside_its_roots() {
    let dir = scratch("repl-inside");
    std::fs::write(dir.join("policy/main.accord"), DECLS).expect("policy");
    std::fs::write(
        dir.join("policy/data.json"),
        "{\"company\": [[\"ACME\", \"MX\"]]}",
    )
    .expect("data");
    let out = accord_in(
        &dir.join("policy"),
        &["repl", "main.accord", "--strict", "--as-of", AS_OF],
        Some(":load data.json\nmexican(x)\n"),
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("loaded 1 row"), "{}", out.stdout);
    assert!(out.stdout.contains("ACME"), "{}", out.stdout);
}

/// Crates whose job is networking (HTTP clients and servers, TLS, sockets, async I/O runtimes).
const NETWORK_CRATES: &[&str] = &[
    "async-std",
    "attohttpc",
    "curl",
    "curl-sys",
    "h2",
    "hickory-resolver",
    "hyper",
    "isahc",
    "mio",
    "minreq",
    "native-tls",
    "openssl",
    "openssl-sys",
    "reqwest",
    "rustls",
    "smol",
    "socket2",
    "surf",
    "tokio",
    "trust-dns-resolver",
    "tungstenite",
    "ureq",
];

/// Socket APIs a source file must not name.
const NETWORK_APIS: &[&str] = &[
    "std::net",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "UnixStream",
    "UnixListener",
    "ToSocketAddrs",
    "os::unix::net",
];

/// The names under `[dependencies]` of a Cargo.toml.
fn normal_dependencies(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut out = vec![];
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once('=') {
                let name = name.trim();
                if !name.is_empty() && !name.starts_with('#') {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// Every package reachable from `roots` through a Cargo.lock's `dependencies` lists.
fn closure(lock: &str, roots: &[String]) -> BTreeSet<String> {
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_list = false;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            current = None;
            in_list = false;
        } else if let Some(name) = line.strip_prefix("name = ") {
            let name = name.trim_matches('"').to_string();
            deps.entry(name.clone()).or_default();
            current = Some(name);
        } else if line.starts_with("dependencies = [") {
            in_list = !line.ends_with(']');
        } else if in_list && line == "]" {
            in_list = false;
        } else if in_list {
            // `"name"`, or `"name version"` when several versions are locked.
            let dep = line.trim_matches(|c| c == '"' || c == ',');
            let dep = dep.split(' ').next().unwrap_or(dep).to_string();
            if let Some(c) = &current {
                deps.entry(c.clone()).or_default().push(dep);
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.to_vec();
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone()) {
            stack.extend(deps.get(&name).cloned().unwrap_or_default());
        }
    }
    seen
}

fn networking_crates(manifest: &str, lock: &str) -> Vec<String> {
    closure(lock, &normal_dependencies(manifest))
        .into_iter()
        .filter(|name| NETWORK_CRATES.contains(&name.as_str()))
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn network_api_uses(text: &str) -> Vec<&'static str> {
    NETWORK_APIS
        .iter()
        .copied()
        .filter(|api| text.contains(api))
        .collect()
}

#[test]
fn nothing_in_the_engine_touches_the_network() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let deps = closure(&lock, &normal_dependencies(&manifest));
    assert!(
        deps.contains("serde_json") && deps.contains("pest") && deps.len() > 30,
        "the dependency closure was not read: {deps:?}"
    );
    assert_eq!(
        networking_crates(&manifest, &lock),
        Vec::<String>::new(),
        "a networking crate is a dependency of the engine"
    );
    let mut files = vec![];
    sources(&root().join("src"), &mut files);
    assert!(files.len() > 50, "the sources were not found");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let uses = network_api_uses(&text);
        assert!(
            uses.is_empty(),
            "{} uses {uses:?}: the engine must not touch the network",
            file.display()
        );
    }
}

#[test]
fn the_network_checks_catch_a_planted_dependency_and_socket() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nserde = \"1\"\nfetch = { version = \"1\" }\n[dev-dependencies]\nreqwest = \"0.12\"\n";
    let lock = "[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\n\n\
                [[package]]\nname = \"fetch\"\nversion = \"1.0.0\"\ndependencies = [\n \"hyper 1.0.0\",\n \"serde\",\n]\n\n\
                [[package]]\nname = \"hyper\"\nversion = \"1.0.0\"\ndependencies = [\n \"socket2\",\n]\n\n\
                [[package]]\nname = \"socket2\"\nversion = \"0.5.0\"\n\n\
                [[package]]\nname = \"reqwest\"\nversion = \"0.12.0\"\n";
    // reqwest is only a dev-dependency: not part of the engine.
    assert_eq!(networking_crates(manifest, lock), vec!["hyper", "socket2"]);
    assert_eq!(
        network_api_uses("use std::net::TcpStream;"),
        vec!["std::net", "TcpStream"]
    );
    assert!(network_api_uses("use std::fs;").is_empty());
}
