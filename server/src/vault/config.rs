//! `carnet.toml`: optional settings at the vault root (docs/configuration.md).

use std::path::Path;

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Config {
    /// Gitignore-style globs, relative to the vault root, of paths to leave out.
    pub exclude: Vec<String>,
    pub tags: TagRules,
    /// Problem code → `error`, `warning`, `info`, `hint` or `off`.
    pub diagnostics: std::collections::BTreeMap<String, String>,
}

/// Thresholds of the tag checks (docs/configuration.md).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TagRules {
    /// When not empty, the only tags allowed (and their nested tags).
    pub allowed: Vec<String>,
    /// How many edits apart a rare tag may be from a frequent one to be
    /// called a misspelling of it.
    pub near_miss_distance: usize,
    /// A tag used in at most this many notes is rare.
    pub rare_max_notes: usize,
    /// A tag used in at least this many notes is frequent.
    pub frequent_min_notes: usize,
}

impl Default for TagRules {
    fn default() -> Self {
        TagRules {
            allowed: Vec::new(),
            near_miss_distance: 2,
            rare_max_notes: 2,
            frequent_min_notes: 5,
        }
    }
}

const KNOWN_KEYS: &[&str] = &["exclude", "tags", "diagnostics"];

impl Config {
    pub const FILE: &'static str = "carnet.toml";

    /// Reads `carnet.toml` if there is one. Unknown keys are warnings (a newer
    /// file read by an older carnet still works); a malformed file is an error.
    pub fn load(root: &Path) -> Result<(Config, Vec<String>), String> {
        let path = root.join(Self::FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Config::default(), Vec::new()));
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<(Config, Vec<String>), String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let warnings = table
            .keys()
            .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
            .map(|k| format!("{}: unknown key `{k}` ignored", Self::FILE))
            .collect();
        let config: Config = table
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())?;
        Ok((config, warnings))
    }
}
