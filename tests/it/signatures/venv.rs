//! The Python that runs `scripts/verify_signatures.py`: `target/tools-venv/bin/python`
//! (the venv `.ci/run` makes for its Python tools), with PyPI `standardwebhooks` installed
//! on first use under an exclusive file lock, as the moto helper in `crates/testkit/` does.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// The reference library's version the test installs.
pub const STANDARDWEBHOOKS_VERSION: &str = "1.1.0";

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/tools-venv/bin/python`, with `standardwebhooks` importable.
pub fn python_with_standardwebhooks() -> PathBuf {
    let target = workspace().join("target");
    let venv = target.join("tools-venv");
    let python = venv.join("bin").join("python");
    if importable(&python) {
        return python;
    }
    std::fs::create_dir_all(&target).unwrap();
    let lock = File::create(target.join("tools-venv.lock")).unwrap();
    lock.lock().unwrap();
    if !importable(&python) {
        install(&venv);
    }
    drop(lock);
    python
}

fn importable(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", "import standardwebhooks"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

fn install(venv: &Path) {
    eprintln!(
        "installing standardwebhooks=={STANDARDWEBHOOKS_VERSION} into {}",
        venv.display()
    );
    let run = |command: &mut Command| {
        let status = command.status().unwrap();
        assert!(status.success(), "{command:?} failed: {status}");
    };
    if !venv.join("bin").join("pip").exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(venv));
    }
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("standardwebhooks=={STANDARDWEBHOOKS_VERSION}")));
}
