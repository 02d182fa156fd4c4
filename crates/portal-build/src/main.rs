//! `portal-build`: the portal's post-build steps, called by trunk's hook (scripts/post-build.sh,
//! scripts/split-wasm.sh). See the library's documentation for what each step does.
//!
//! ```text
//! portal-build split <staging-dir> <work-dir> <stem>
//! portal-build finish <staging-dir> <source-dir>
//! ```

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: portal-build split <staging-dir> <work-dir> <stem>\n       \
                     portal-build finish <staging-dir> <source-dir>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (step, result) = match args.as_slice() {
        ["split", dest, work, stem] => (
            "split",
            portal_build::files::split(Path::new(dest), Path::new(work), stem),
        ),
        ["finish", dest, source] => (
            "finish",
            portal_build::files::finish(Path::new(dest), Path::new(source)),
        ),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portal-build {step}: {error}");
            ExitCode::FAILURE
        }
    }
}
