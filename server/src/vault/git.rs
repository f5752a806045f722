//! What git knows about moves, for `carnet fix-moves` in a git work tree:
//! git's own rename detection (with its similarity index), plus the files
//! gone and the files new since a revision, with the old contents, for the
//! moves git cannot see (a plain `mv` leaves the new file untracked).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Changes between a revision and the work tree, as vault-relative paths.
#[derive(Debug, Default)]
pub struct Changes {
    /// Renames git found (old, new), similar files included.
    pub renamed: Vec<(String, String)>,
    /// Files gone since the revision, with what they held then.
    pub gone: Vec<Gone>,
    /// Files new since the revision: added, or not tracked at all.
    pub added: Vec<String>,
}

#[derive(Debug)]
pub struct Gone {
    pub path: String,
    /// The text, for notes (`None` for other files or unreadable blobs).
    pub text: Option<String>,
    pub size: Option<u64>,
}

fn git(root: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(root).env("GIT_OPTIONAL_LOCKS", "0");
    c
}

fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// Whether `root` is inside a git work tree (and git is installed) that
/// tracks files under it: a vault in an ignored folder of some repository
/// has no history to ask.
pub fn is_work_tree(root: &Path) -> bool {
    run(git(root).args(["rev-parse", "--is-inside-work-tree"]))
        .is_ok_and(|o| o.starts_with(b"true"))
        && run(git(root).args(["ls-files", "-z", "--cached", "--", "."]))
            .is_ok_and(|o| !o.is_empty())
}

/// Everything that changed under `root` between `rev` and the work tree.
pub fn changes_since(root: &Path, rev: &str) -> Result<Changes, String> {
    if rev.starts_with('-') {
        return Err(format!("{rev:?} is not a revision"));
    }
    run(git(root)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{rev}^{{commit}}")))
    .map_err(|_| format!("git does not know the revision {rev:?}"))?;
    // `--relative`: paths relative to the vault, and only the vault's files.
    let diff = run(git(root)
        .args([
            "-c",
            "diff.renameLimit=100000",
            "diff",
            "--relative",
            "--find-renames",
            "--name-status",
            "-z",
            "--no-color",
            "--no-ext-diff",
        ])
        .arg(rev)
        .arg("--"))?;
    let mut changes = Changes::default();
    let mut deleted = Vec::new();
    let mut fields = diff.split(|&b| b == 0).filter(|f| !f.is_empty());
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
    while let Some(status) = fields.next() {
        match status.first() {
            Some(b'R') | Some(b'C') => {
                let (Some(old), Some(new)) = (fields.next(), fields.next()) else {
                    break;
                };
                if status[0] == b'R'
                    && let (Some(old), Some(new)) = (text(old), text(new))
                {
                    changes.renamed.push((old, new));
                }
            }
            Some(b'D') => deleted.extend(fields.next().and_then(text)),
            Some(b'A') => changes.added.extend(fields.next().and_then(text)),
            _ => {
                fields.next();
            }
        }
    }
    let untracked = run(git(root).args(["ls-files", "-z", "--others", "--exclude-standard"]))?;
    changes.added.extend(
        untracked
            .split(|&b| b == 0)
            .filter(|f| !f.is_empty())
            .filter_map(text),
    );
    changes.gone = old_contents(root, rev, deleted)?;
    Ok(changes)
}

/// The contents of `paths` at `rev`, in one `git cat-file --batch`.
fn old_contents(root: &Path, rev: &str, paths: Vec<String>) -> Result<Vec<Gone>, String> {
    let paths: Vec<String> = paths.into_iter().filter(|p| !p.contains('\n')).collect();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git: no stdin")?;
    let requests: String = paths.iter().map(|p| format!("{rev}:./{p}\n")).collect();
    // Write from a thread: git answers while it reads, and both pipes fill.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(requests.as_bytes());
    });
    let mut out = BufReader::new(child.stdout.take().ok_or("git: no stdout")?);
    let mut gone = Vec::with_capacity(paths.len());
    for path in paths {
        let mut header = String::new();
        if out.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            break;
        }
        // `<sha> blob <size>`, or `<name> missing`.
        let size = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|_| header.contains(" blob "));
        let text = match size {
            Some(n) => {
                let mut bytes = vec![0; n as usize + 1]; // and the newline after
                out.read_exact(&mut bytes).map_err(|e| e.to_string())?;
                bytes.pop();
                super::is_note(Path::new(&path))
                    .then(|| super::decode_note(bytes).ok())
                    .flatten()
            }
            None => None,
        };
        gone.push(Gone { path, text, size });
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(gone)
}
