//! The house rules a compiler cannot check: the screen's state never reaches into the view.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_state_and_the_run_state_never_name_the_view() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("run_state.rs")];
    rust_files(&src.join("app"), &mut files);
    assert!(files.len() >= 2, "src/app/ holds the state");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("crate::ui") && !code.contains("ratatui"),
                "{}:{}: the state names the view: {line}",
                file.display(),
                n + 1
            );
        }
    }
}

/// The `pub mod` names of `src/lib.rs`, and its `//!` module map.
fn lib_modules() -> (Vec<String>, String) {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("src/lib.rs");
    let map = (lib.lines())
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let modules = (lib.lines())
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect();
    (modules, map)
}

#[test]
fn the_module_map_and_the_readme_name_every_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (modules, map) = lib_modules();
    assert!(modules.len() > 10, "src/lib.rs declares the modules");
    for m in &modules {
        assert!(
            map.contains(&format!("[`{m}`]")),
            "src/lib.rs's module map does not describe `{m}`"
        );
    }
    // README's "How it is built" names every file of the state and the view, so a newcomer
    // finds where a key, a pane or a piece of state goes.
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let built = readme
        .split("## How it is built")
        .nth(1)
        .expect("README.md has a 'How it is built' section");
    let built = built.split("\n## ").next().unwrap_or(built);
    for dir in ["src/app", "src/ui", "src/engine", "src/bench", "src/watch"] {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        for file in files {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a file name");
            if name == "mod.rs" {
                continue;
            }
            assert!(
                built.contains(&format!("`{name}`")),
                "README's 'How it is built' does not say what {dir}/{name} is for"
            );
        }
    }
}
