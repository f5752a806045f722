//! Running the built binary as a command (`carnet mv`, `fix-moves`,
//! `check --fix`, …), for the tests of the commands that change a vault.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `carnet ARGS` in `dir`.
pub fn carnet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carnet"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARNET_TEST_PAUSE_AT")
        .output()
        .expect("run carnet")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
