//! Finding `moto_server`: `MOTO_SERVER` if set, else
//! `<workspace>/target/moto-venv/bin/moto_server`, installed there on first use
//! (`python3 -m venv …` and `pip install 'moto[server]==5.2.5'`) under an exclusive file
//! lock, so several test binaries never install at once. CI can run the same two
//! commands beforehand.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    process::Command,
};

/// The moto version the tests install.
pub const MOTO_VERSION: &str = "5.2.5";

/// The workspace root (this crate lives two levels below it, in `crates/`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `moto_server` to run, installed first if need be.
pub(super) fn moto_server() -> PathBuf {
    if let Some(program) = std::env::var_os("MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(program);
    }
    let target = workspace().join("target");
    let venv = target.join("moto-venv");
    let program = venv.join("bin").join("moto_server");
    let installed = venv.join(format!(".installed-{MOTO_VERSION}"));
    if installed.exists() {
        return program;
    }
    std::fs::create_dir_all(&target).expect("create target/");
    let lock = File::create(target.join("moto-venv.lock")).expect("create the install lock");
    lock.lock().expect("take the install lock");
    if !installed.exists() {
        install(&venv, &installed);
    }
    drop(lock);
    program
}

/// Creates the venv and installs moto into it.
fn install(venv: &Path, installed: &Path) {
    eprintln!(
        "installing moto[server]=={MOTO_VERSION} into {}",
        venv.display()
    );
    let run = |command: &mut Command| {
        let status = command.status().expect("run the moto install");
        assert!(status.success(), "{command:?} failed: {status}");
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(venv));
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("moto[server]=={MOTO_VERSION}")));
    let mut marker = File::create(installed).expect("write the install marker");
    writeln!(marker, "moto[server]=={MOTO_VERSION}").expect("write the install marker");
}
