//! Standard output: lines for people, JSON for scripts (`--json`).
//!
//! Every write goes through [`Output`], which turns a closed pipe into
//! [`StdoutClosed`] (so `loam ls | head -1` ends quietly instead of
//! panicking the way `println!` would).
//!
//! JSON is pretty-printed, one value per command: an array for lists, an
//! object otherwise. Each `created`/`updated` time (milliseconds since the
//! Unix epoch) gets an ISO 8601 twin, `created_iso`/`updated_iso`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::errors::StdoutClosed;
use crate::style::Style;
use crate::when;

/// Where a command writes its result.
pub struct Output {
    writer: Box<dyn Write>,
    /// `--json`: write one JSON value instead of lines.
    pub json: bool,
    /// Colour for standard output.
    pub style: Style,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("json", &self.json)
            .field("style", &self.style)
            .finish_non_exhaustive()
    }
}

impl Output {
    /// Standard output.
    pub fn stdout(json: bool, style: Style) -> Self {
        Self {
            writer: Box::new(io::stdout()),
            json,
            style,
        }
    }

    /// One line of text.
    pub fn line(&mut self, text: impl AsRef<str>) -> anyhow::Result<()> {
        let text = text.as_ref();
        self.writer.write_all(text.as_bytes()).map_err(closed)?;
        self.writer.write_all(b"\n").map_err(closed)
    }

    /// Text as is, with a final line break if it has none.
    pub fn text(&mut self, text: &str) -> anyhow::Result<()> {
        if text.is_empty() || text.ends_with('\n') {
            self.writer.write_all(text.as_bytes()).map_err(closed)
        } else {
            self.line(text)
        }
    }

    /// An empty line.
    pub fn blank(&mut self) -> anyhow::Result<()> {
        self.line("")
    }

    /// One JSON value, with ISO twins of its times.
    /// Print `report` as JSON with the garden it is about added as `garden`.
    pub fn json_for_garden<T: Serialize + ?Sized>(
        &mut self,
        garden: &loam_node::Garden,
        report: &T,
    ) -> anyhow::Result<()> {
        let mut value = serde_json::to_value(report)?;
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "garden".to_owned(),
                serde_json::json!({ "id": garden.id(), "name": garden.name() }),
            );
        }
        self.json(&value)
    }

    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> anyhow::Result<()> {
        let mut value = serde_json::to_value(value)?;
        add_iso_times(&mut value);
        serde_json::to_writer_pretty(&mut self.writer, &value).map_err(|e| {
            match e.io_error_kind() {
                Some(_) => closed(io::Error::from(e)),
                None => e.into(),
            }
        })?;
        self.writer.write_all(b"\n").map_err(closed)
    }

    /// Push out whatever is buffered.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.writer.flush().map_err(closed)
    }
}

/// A failed write to standard output: a closed pipe ends quietly, anything
/// else is an error.
fn closed(err: io::Error) -> anyhow::Error {
    if err.kind() == io::ErrorKind::BrokenPipe {
        StdoutClosed.into()
    } else {
        anyhow::Error::new(err).context("cannot write to standard output")
    }
}

const TIME_FIELDS: [&str; 2] = ["created", "updated"];

/// Beside every `created`/`updated` number, its ISO 8601 form.
fn add_iso_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for field in TIME_FIELDS {
                if let Some(ms) = map.get(field).and_then(Value::as_i64) {
                    map.insert(format!("{field}_iso"), Value::String(when::iso(ms)));
                }
            }
            map.values_mut().for_each(add_iso_times);
        }
        Value::Array(items) => items.iter_mut().for_each(add_iso_times),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_get_iso_twins() {
        let mut value = serde_json::json!([{ "title": "t", "updated": 0, "source": { "created": 86_400_000 } }]);
        add_iso_times(&mut value);
        let expected = serde_json::json!([{
            "title": "t",
            "updated": 0,
            "updated_iso": "1970-01-01T00:00:00.000Z",
            "source": { "created": 86_400_000, "created_iso": "1970-01-02T00:00:00.000Z" },
        }]);
        assert_eq!(value, expected);
    }
}
