//! The `loam-desktop` binary: opens the app's window.

// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before anything starts a thread or reads the environment.
    loam_desktop::rendering::use_shared_memory_without_gpu();
    if let Err(e) = loam_desktop::run() {
        eprintln!("error: loam could not start: {e}");
        std::process::exit(1);
    }
}
