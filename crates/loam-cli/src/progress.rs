//! Progress of a long command on standard error: a bar with counts on a
//! terminal (indicatif), otherwise a plain line now and then (at each tenth
//! of the way and at most about once a second), so that a log shows the
//! import moving without a line per file.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loam_node::{ImportPhase, ImportProgress};

/// How often a plain line may be written at most.
const LINE_EVERY: Duration = Duration::from_secs(1);

/// Shows an import's progress.
#[derive(Debug)]
pub enum Progress {
    /// A bar on a terminal.
    Bar(Box<BarState>),
    /// Plain lines on a pipe or file.
    Lines(LineState),
    /// Nothing (`--json` without a terminal).
    Quiet,
}

/// The terminal bar and the phase it shows.
#[derive(Debug)]
pub struct BarState {
    bar: ProgressBar,
    phase: Option<ImportPhase>,
}

/// When the last plain line was written.
#[derive(Debug)]
pub struct LineState {
    phase: Option<ImportPhase>,
    last: Instant,
    /// The tenth of the way last reported.
    tenth: usize,
}

impl Progress {
    /// A bar when standard error is a terminal; otherwise lines, or nothing
    /// when `quiet`.
    pub fn for_stderr(quiet: bool) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            Self::Bar(Box::new(BarState { bar, phase: None }))
        } else if quiet {
            Self::Quiet
        } else {
            Self::Lines(LineState {
                phase: None,
                last: Instant::now(),
                tenth: 0,
            })
        }
    }

    /// Show `p`.
    pub fn update(&mut self, p: ImportProgress) {
        match self {
            Self::Bar(state) => state.update(p),
            Self::Lines(state) => state.update(p),
            Self::Quiet => {}
        }
    }

    /// Remove the bar (the summary follows).
    pub fn finish(&self) {
        if let Self::Bar(state) = self {
            state.bar.finish_and_clear();
        }
    }
}

fn counts(p: &ImportProgress) -> String {
    format!(
        "{} notes and pages, {} attachments, {} skipped",
        p.docs, p.attachments, p.skipped
    )
}

fn phase_name(phase: ImportPhase) -> &'static str {
    match phase {
        ImportPhase::Scanning => "scanning",
        ImportPhase::Reading => "reading",
        ImportPhase::Writing => "writing",
    }
}

impl BarState {
    fn update(&mut self, p: ImportProgress) {
        if self.phase != Some(p.phase) {
            self.phase = Some(p.phase);
            let template = match p.phase {
                ImportPhase::Scanning => "{spinner} {prefix:>8} {pos} files found",
                ImportPhase::Reading | ImportPhase::Writing => {
                    "{prefix:>8} [{bar:30}] {pos}/{len} {msg}"
                }
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                self.bar.set_style(style.progress_chars("=> "));
            }
            self.bar.set_prefix(phase_name(p.phase));
            self.bar.set_length(p.total as u64);
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
        self.bar.set_position(p.done as u64);
        let message = match p.phase {
            ImportPhase::Writing => "notes and pages stored".to_owned(),
            _ => counts(&p),
        };
        self.bar.set_message(message);
    }
}

impl LineState {
    fn update(&mut self, p: ImportProgress) {
        if let Some(line) = self.line_for(p) {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    /// The line to write for `p`, if one is due.
    fn line_for(&mut self, p: ImportProgress) -> Option<String> {
        let new_phase = self.phase != Some(p.phase);
        let tenth = (p.done * 10).checked_div(p.total).unwrap_or(0);
        let due = new_phase
            || tenth > self.tenth
            || (self.last.elapsed() >= LINE_EVERY && p.done < p.total);
        if !due {
            return None;
        }
        if new_phase {
            self.phase = Some(p.phase);
            self.tenth = 0;
        } else {
            self.tenth = tenth;
        }
        self.last = Instant::now();
        Some(match p.phase {
            ImportPhase::Scanning => format!("scanning: {} files found", p.done),
            ImportPhase::Reading => format!(
                "reading: {}/{} files ({}%), {}",
                p.done,
                p.total,
                (p.done * 100).checked_div(p.total).unwrap_or(100),
                counts(&p)
            ),
            ImportPhase::Writing => format!(
                "writing: {}/{} notes and pages ({}%)",
                p.done,
                p.total,
                (p.done * 100).checked_div(p.total).unwrap_or(100)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_come_at_each_tenth_not_each_file() {
        let mut state = LineState {
            phase: None,
            last: Instant::now(),
            tenth: 0,
        };
        let lines: Vec<String> = (0..=1000)
            .filter_map(|done| {
                state.line_for(ImportProgress {
                    phase: ImportPhase::Reading,
                    done,
                    total: 1000,
                    docs: done,
                    attachments: 2,
                    skipped: 1,
                })
            })
            .collect();
        // The first line, then one per tenth (a slow machine may add one a
        // second).
        assert!((11..=15).contains(&lines.len()), "{lines:?}");
        assert_eq!(
            lines[0],
            "reading: 0/1000 files (0%), 0 notes and pages, 2 attachments, 1 skipped"
        );
        assert_eq!(
            lines.last().unwrap(),
            "reading: 1000/1000 files (100%), 1000 notes and pages, 2 attachments, 1 skipped"
        );
    }
}
