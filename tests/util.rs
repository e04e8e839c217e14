use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Compares two values and prints both in full when they differ.
macro_rules! eqnice {
    ($expected:expr, $got:expr) => {{
        let (expected, got) = (&$expected, &$got);
        if expected != got {
            panic!("\n### expected:\n{:#?}\n### got:\n{:#?}\n", expected, got);
        }
    }};
}

/// A fresh folder per test, with helpers to write inputs and run the binary in it.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        TestDir {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Copies the repository's seeds into `<dir>/seeds`.
    pub fn copy_seeds(&self) {
        for entry in std::fs::read_dir(repo_root().join("seeds")).unwrap() {
            let entry = entry.unwrap();
            std::fs::create_dir_all(self.path().join("seeds")).unwrap();
            std::fs::copy(
                entry.path(),
                self.path().join("seeds").join(entry.file_name()),
            )
            .unwrap();
        }
    }

    /// Copies the seeds and the shipped `pipeline.toml`: the user's fresh clone.
    pub fn copy_seeds_and_config(&self) {
        self.copy_seeds();
        std::fs::copy(
            repo_root().join("pipeline.toml"),
            self.path().join("pipeline.toml"),
        )
        .unwrap();
    }

    /// Runs `pipeline <args>` in this folder.
    pub fn pipeline(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pipeline"))
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("the pipeline binary runs")
    }

    /// Runs `pipeline <args>` and panics with its output unless it succeeds.
    pub fn pipeline_ok(&self, args: &[&str]) -> Output {
        let output = self.pipeline(args);
        assert!(
            output.status.success(),
            "pipeline {args:?} failed with {:?}\nstderr:\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    pub fn read_jsonl(&self, name: &str) -> Vec<Value> {
        let text = std::fs::read_to_string(self.path().join(name)).unwrap();
        text.lines()
            .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
            .collect()
    }

    pub fn read_json(&self, name: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.path().join(name)).unwrap()).unwrap()
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A config with the full stage list, reading `inputs` and writing `out`.
pub fn full_config(inputs: &[&str], extra_pipeline: &str) -> String {
    let paths: Vec<String> = inputs.iter().map(|p| format!("{p:?}")).collect();
    format!(
        "[pipeline]\n{extra_pipeline}\n[source]\npaths = [{}]\n\n[[stages]]\ntype = \"clean\"\n\n[[stages]]\ntype = \"detect_language\"\n\n[[stages]]\ntype = \"dedupe\"\n\n[[stages]]\ntype = \"annotate\"\n\n[sink]\npath = \"out\"\n",
        paths.join(", ")
    )
}
