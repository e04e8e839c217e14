use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The input files found, and the places that could not be listed.
#[derive(Debug, Default)]
pub struct Listing {
    /// Files to read, sorted, without duplicates.
    pub files: Vec<PathBuf>,
    /// Folders (or entries) that could not be read, e.g. for lack of permission; each
    /// becomes a rejection, and the run goes on with the rest.
    pub unreadable: Vec<(PathBuf, std::io::Error)>,
}

/// Expands `paths` (files, folders, glob patterns; relative ones against `base`) into a
/// sorted, duplicate-free list of files. Folders are walked recursively and yield the files
/// whose name ends with one of `extensions` (hidden files and folders are skipped); files
/// named directly or matched by a pattern are always included. A folder that cannot be
/// read is reported in [`Listing::unreadable`]; a path that does not exist is an error.
pub fn list_inputs(paths: &[String], extensions: &[String], base: &Path) -> Result<Listing> {
    let mut files = BTreeSet::new();
    let mut unreadable = Vec::new();
    for given in paths {
        let path = resolve(base, given);
        if is_pattern(given) {
            let pattern = path.to_string_lossy().into_owned();
            let matches = glob::glob(&pattern).map_err(|e| Error::BadPattern {
                pattern: given.clone(),
                message: e.msg.to_owned(),
            })?;
            for entry in matches.flatten() {
                if entry.is_file() {
                    files.insert(entry);
                }
            }
        } else if path.is_dir() {
            walk(&path, extensions, &mut files, &mut unreadable);
        } else if path.exists() {
            files.insert(path);
        } else {
            return Err(Error::MissingInput { path });
        }
    }
    if files.is_empty() && unreadable.is_empty() {
        return Err(Error::NoInput {
            paths: paths.join(", "),
        });
    }
    Ok(Listing {
        files: files.into_iter().collect(),
        unreadable,
    })
}

fn resolve(base: &Path, given: &str) -> PathBuf {
    let path = Path::new(given);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

fn is_pattern(given: &str) -> bool {
    given.contains(['*', '?', '['])
}

fn walk(
    dir: &Path,
    extensions: &[String],
    files: &mut BTreeSet<PathBuf>,
    unreadable: &mut Vec<(PathBuf, std::io::Error)>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_file() && has_extension(entry.path(), extensions) {
                    files.insert(entry.into_path());
                }
            }
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let error = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("the folder links back to itself"));
                unreadable.push((path, error));
            }
        }
    }
}

fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    extensions.iter().any(|ext| {
        name.len() > ext.len() + 1 && name.ends_with(&format!(".{}", ext.to_lowercase()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_folders_patterns_and_files_sorted_without_hidden_or_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/.hidden")).unwrap();
        for name in [
            "a/2.txt",
            "a/1.jsonl.gz",
            "a/notes.pdf",
            "a/.hidden/x.txt",
            "b.txt",
        ] {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let exts: Vec<String> = ["txt", "jsonl.gz"].iter().map(|s| s.to_string()).collect();
        let files = list_inputs(&["a".into(), "*.txt".into(), "a/2.txt".into()], &exts, root)
            .unwrap()
            .files;
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            vec![
                PathBuf::from("a/1.jsonl.gz"),
                PathBuf::from("a/2.txt"),
                PathBuf::from("b.txt")
            ]
        );
    }

    #[test]
    fn missing_input_and_empty_folder_are_errors_that_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = list_inputs(&["nope".into()], &[], dir.path()).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        let err = list_inputs(&[".".into()], &["txt".into()], dir.path()).unwrap_err();
        assert!(err.to_string().contains("no input files"), "{err}");
    }
}
