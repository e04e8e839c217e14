//! Config files and command-line flags: clear errors before any work, and overrides.

use crate::schema::check_output;
use crate::util::{full_config, repo_root, stderr, TestDir};

#[test]
fn validate_accepts_the_shipped_config() {
    let dir = TestDir::new();
    let config = repo_root().join("pipeline.toml");
    let output = dir.pipeline_ok(&["validate", config.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("is valid: 4 stage(s): clean"), "{stdout}");
}

#[test]
fn a_mistyped_key_names_the_key_the_stage_and_the_expected_names() {
    let dir = TestDir::new();
    dir.write("seeds/a.txt", "Text.");
    dir.write("bad.toml", "[[stages]]\ntype = \"clean\"\nboilerplat = false\n\n[[stages]]\ntype = \"dedupe\"\nacton = \"mark\"\n");
    for command in ["validate", "run"] {
        let output = dir.pipeline(&[command, "bad.toml"]);
        assert_eq!(output.status.code(), Some(2));
        let err = stderr(&output);
        assert!(
            err.contains("stages[0] (clean): unknown field `boilerplat`, expected one of"),
            "{err}"
        );
        assert!(err.contains("`boilerplate`"), "{err}");
        assert!(
            err.contains("stages[1] (dedupe): unknown field `acton`"),
            "{err}"
        );
        assert!(
            !dir.path().join("out").exists(),
            "nothing is written before the config is valid"
        );
    }
}

#[test]
fn a_missing_input_or_config_is_a_one_line_error() {
    let dir = TestDir::new();
    dir.write("pipeline.toml", full_config(&["nowhere"], ""));
    let output = dir.pipeline(&["run", "pipeline.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("input `./nowhere` does not exist"),
        "{}",
        stderr(&output)
    );
    let output = dir.pipeline(&["run", "missing.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read config `missing.toml`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn input_and_output_flags_override_the_config() {
    let dir = TestDir::new();
    dir.copy_seeds();
    dir.write("elsewhere/x.txt", "Ein kurzer Bericht über den Stadtrat, der am Montag über neue Radwege beraten und sie beschlossen hat.");
    dir.write("pipeline.toml", full_config(&["seeds"], ""));
    dir.pipeline_ok(&[
        "run",
        "pipeline.toml",
        "--input",
        "elsewhere",
        "--input",
        "seeds/002_1a67b9573dd5dde7.txt",
        "--output",
        "out",
        "--progress",
        "off",
    ]);
    let (documents, _) = check_output(&dir);
    let ids: Vec<&str> = documents
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["x", "002_1a67b9573dd5dde7"]);
}

#[test]
fn help_describes_the_commands() {
    let dir = TestDir::new();
    let output = dir.pipeline_ok(&["run", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in ["--input", "--output", "--progress", "config file"] {
        assert!(help.contains(needle), "{help}");
    }
}
