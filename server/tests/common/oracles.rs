//! The two FHIR validators we did not write, run on files of resources:
//! npm @medplum/core (R4 StructureDefinitions) and PyPI fhir.resources
//! (R4B models), both pinned and installed by `scripts/tools.sh test`.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// One validator's verdict on one file: (file, valid, errors).
pub type Finding = (String, bool, String);

fn repo() -> PathBuf {
    super::package_dir().join("..")
}

fn python() -> PathBuf {
    let tools = std::env::var("OP_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".local/openpractice")
        });
    tools.join("fhir-venv/bin/python")
}

/// (file, ok) for each file, from one validator's JSON lines.
fn run(mut cmd: Command, files: &[PathBuf]) -> Vec<Finding> {
    let out = cmd.args(files).output().unwrap_or_else(|e| {
        panic!("could not run the validator {cmd:?} ({e}); run scripts/tools.sh test")
    });
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Finding> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| {
            (
                v["file"].as_str().unwrap_or_default().to_string(),
                v["ok"].as_bool().unwrap_or(false),
                v["errors"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows.len(),
        files.len(),
        "{cmd:?} reported on {} of {} files: {}",
        rows.len(),
        files.len(),
        String::from_utf8_lossy(&out.stderr)
    );
    rows
}

/// Each validator's name and its (file, ok, errors) for every file.
pub fn validate(files: &[PathBuf]) -> Vec<(&'static str, Vec<Finding>)> {
    let mut node = Command::new("node");
    node.arg(repo().join("scripts/fhir/validate.mjs"));
    let mut py = Command::new(python());
    py.arg(repo().join("scripts/fhir/validate.py"));
    vec![
        ("@medplum/core", run(node, files)),
        ("fhir.resources", run(py, files)),
    ]
}
