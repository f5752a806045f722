//! `carnet.toml`: optional settings at the vault root (docs/configuration.md).

use std::path::Path;

use crate::answers::daily::DailyNotes;

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Config {
    /// Gitignore-style globs, relative to the vault root, of paths to leave out.
    pub exclude: Vec<String>,
    pub tags: TagRules,
    /// Problem code → `error`, `warning`, `info`, `hint` or `off`.
    pub diagnostics: std::collections::BTreeMap<String, String>,
    /// `[daily]`: daily notes, over `.obsidian/daily-notes.json`.
    pub daily: DailyConfig,
    /// `cache = false`: no facts cache for this vault (see `vault::cache`).
    pub cache: Option<bool>,
}

/// `[daily]` in `carnet.toml`, and Obsidian's `daily-notes.json` (same keys).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DailyConfig {
    pub format: Option<String>,
    pub folder: Option<String>,
    pub template: Option<String>,
}

/// Obsidian's daily notes settings, in the vault's `.obsidian` folder.
pub(super) const OBSIDIAN_DAILY: &str = ".obsidian/daily-notes.json";

/// Where daily notes go: `carnet.toml`'s `[daily]`, else Obsidian's
/// settings, else `YYYY-MM-DD` at the root. A file that cannot be read is
/// a warning.
pub fn daily_notes(root: &Path, config: &Config) -> (DailyNotes, Vec<String>) {
    let mut warnings = Vec::new();
    let obsidian: DailyConfig = match std::fs::read_to_string(root.join(OBSIDIAN_DAILY)) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            warnings.push(format!("{OBSIDIAN_DAILY}: {e}; ignored"));
            DailyConfig::default()
        }),
        Err(_) => DailyConfig::default(),
    };
    let pick = |ours: &Option<String>, theirs: &Option<String>| {
        ours.clone()
            .or_else(|| theirs.clone())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let d = &config.daily;
    let default = DailyNotes::default();
    let daily = DailyNotes {
        format: pick(&d.format, &obsidian.format).unwrap_or(default.format),
        folder: pick(&d.folder, &obsidian.folder).unwrap_or_default(),
        template: pick(&d.template, &obsidian.template),
    };
    (daily, warnings)
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

const KNOWN_KEYS: &[&str] = &["exclude", "tags", "diagnostics", "daily", "cache"];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_notes_from_carnet_toml_over_obsidian() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".obsidian")).unwrap();
        std::fs::write(
            dir.path().join(OBSIDIAN_DAILY),
            r#"{"format":"DD-MM-YYYY","folder":"Daily","template":"Templates/Day","autorun":false}"#,
        )
        .unwrap();
        let (obsidian, w) = daily_notes(dir.path(), &Config::default());
        assert!(w.is_empty());
        assert_eq!(obsidian.format, "DD-MM-YYYY");
        assert_eq!(obsidian.folder, "Daily");
        assert_eq!(obsidian.template.as_deref(), Some("Templates/Day"));
        let (config, _) = Config::parse("[daily]\nformat = \"YYYY/MM/DD\"\n").unwrap();
        let (ours, _) = daily_notes(dir.path(), &config);
        assert_eq!(
            (ours.format.as_str(), ours.folder.as_str()),
            ("YYYY/MM/DD", "Daily")
        );
        std::fs::write(dir.path().join(OBSIDIAN_DAILY), "not json").unwrap();
        let (fallback, w) = daily_notes(dir.path(), &Config::default());
        assert_eq!((fallback, w.len()), (DailyNotes::default(), 1));
    }
}
