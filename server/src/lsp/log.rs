//! Logging to stderr and to the client's `window/logMessage`, at the level
//! set by `initializationOptions.logLevel` or `CARNET_LOG`.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::MessageType;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl LogLevel {
    pub fn parse(s: &str) -> Option<LogLevel> {
        Some(match s.to_ascii_lowercase().as_str() {
            "error" => LogLevel::Error,
            "warn" | "warning" => LogLevel::Warn,
            "info" => LogLevel::Info,
            "debug" | "trace" => LogLevel::Debug,
            _ => return None,
        })
    }
}

pub struct Logger {
    level: AtomicU8,
    client: OnceLock<(Client, tokio::runtime::Handle)>,
}

impl Logger {
    pub fn new() -> Logger {
        let level = std::env::var("CARNET_LOG")
            .ok()
            .and_then(|s| LogLevel::parse(&s))
            .unwrap_or(LogLevel::Info);
        Logger {
            level: AtomicU8::new(level as u8),
            client: OnceLock::new(),
        }
    }

    pub fn set_level(&self, level: LogLevel) {
        self.level.store(level as u8, Ordering::Relaxed);
    }

    /// From now on, messages also go to the client.
    pub fn attach(&self, client: Client, handle: tokio::runtime::Handle) {
        let _ = self.client.set((client, handle));
    }

    pub fn log(&self, level: LogLevel, message: String) {
        if level as u8 > self.level.load(Ordering::Relaxed) {
            return;
        }
        eprintln!("[carnet {}] {message}", format!("{level:?}").to_lowercase());
        if let Some((client, handle)) = self.client.get() {
            let client = client.clone();
            let typ = match level {
                LogLevel::Error => MessageType::ERROR,
                LogLevel::Warn => MessageType::WARNING,
                LogLevel::Info => MessageType::INFO,
                LogLevel::Debug => MessageType::LOG,
            };
            // A notification: sent from a task so no caller ever waits on the client.
            handle.spawn(async move { client.log_message(typ, message).await });
        }
    }

    pub fn error(&self, m: String) {
        self.log(LogLevel::Error, m)
    }
    pub fn warn(&self, m: String) {
        self.log(LogLevel::Warn, m)
    }
    pub fn info(&self, m: String) {
        self.log(LogLevel::Info, m)
    }
    pub fn debug(&self, m: String) {
        self.log(LogLevel::Debug, m)
    }
}

impl Default for Logger {
    fn default() -> Self {
        Self::new()
    }
}
