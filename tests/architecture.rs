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
fn the_state_and_the_report_never_name_the_view() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("report.rs")];
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
