//! Which WebKitGTK renderer the window uses on a machine without a GPU.
//!
//! WebKitGTK composites pages through DMA-BUF buffers by default. With no
//! GPU render node (`/dev/dri/renderD*`: a virtual machine, a remote
//! desktop, Xvfb) those buffers are drawn by Mesa's software rasteriser,
//! llvmpipe, in the web process, which then holds about 80 MB more than
//! WebKit's shared-memory renderer for the same pages (measured on the demo
//! garden: 231 MB against 151 MB PSS). WebKit only lets the environment
//! choose (`WEBKIT_DISABLE_DMABUF_RENDERER`), read when it starts; setting
//! it from inside would be `unsafe` (the workspace forbids it), so the app
//! starts itself once more with it set.
//!
//! A machine with a render node keeps WebKit's default, and so does anyone
//! who set the variable themselves, to any value.

use std::ffi::OsString;
use std::path::Path;

/// The variable WebKitGTK reads.
pub const DISABLE_DMABUF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Whether to start again with [`DISABLE_DMABUF`] set: on Linux, when it
/// is not set, and `dri` (normally `/dev/dri`) holds no render node.
pub fn wants_restart(var: Option<OsString>, dri: &Path) -> bool {
    if !cfg!(target_os = "linux") || var.is_some() {
        return false;
    }
    let render_node = std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    !render_node
}

/// Start this program again in the same process, [`DISABLE_DMABUF`] set,
/// when [`wants_restart`] says so; returns only when it does not, or when
/// starting again failed (the app then runs as it is).
pub fn use_shared_memory_without_gpu() {
    if !wants_restart(std::env::var_os(DISABLE_DMABUF), Path::new("/dev/dri")) {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let mut command = std::process::Command::new(exe);
        if let Some(arg0) = args.next() {
            command.arg0(arg0);
        }
        let error = command.args(args).env(DISABLE_DMABUF, "1").exec();
        eprintln!("loam: could not restart with the shared-memory renderer ({error}); going on");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_machine_without_a_render_node_restarts() {
        let none = tempfile::tempdir().unwrap();
        let gpu = tempfile::tempdir().unwrap();
        std::fs::write(gpu.path().join("card0"), "").unwrap();
        std::fs::write(gpu.path().join("renderD128"), "").unwrap();
        let card_only = tempfile::tempdir().unwrap();
        std::fs::write(card_only.path().join("card0"), "").unwrap();
        let linux = cfg!(target_os = "linux");
        assert_eq!(wants_restart(None, none.path()), linux);
        assert_eq!(wants_restart(None, &none.path().join("missing")), linux);
        assert_eq!(wants_restart(None, card_only.path()), linux);
        assert!(!wants_restart(None, gpu.path()));
        assert!(!wants_restart(Some("0".into()), none.path()));
        assert!(!wants_restart(Some("1".into()), none.path()));
    }
}
