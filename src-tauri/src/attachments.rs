//! The `loam://` scheme: serves attachments (`loam://attachment/<sha-256>`)
//! to the preview's `<img>` embeds. Nothing else is served: every other
//! `loam://` URL (links to documents, tags) is read by the UI, never loaded.

use loam_node::ContentHash;
use tauri::http::{Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::AppState;

/// The scheme's name.
pub const SCHEME: &str = "loam";

/// Answer one request, off the main thread.
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let hash = attachment_hash(request.uri());
    std::thread::spawn(move || {
        let found = hash.and_then(|hash| {
            let state = app.try_state::<AppState>()?;
            state.garden().ok()?.attachment(hash).ok()?
        });
        responder.respond(match found {
            Some(bytes) => respond(StatusCode::OK, sniff(&bytes), bytes),
            None => respond(
                StatusCode::NOT_FOUND,
                "text/plain",
                b"no such attachment".to_vec(),
            ),
        });
    });
}

/// The hash in `loam://attachment/<hash>`, if that is what `uri` is.
fn attachment_hash(uri: &tauri::http::Uri) -> Option<ContentHash> {
    if uri.host() != Some("attachment") {
        return None;
    }
    uri.path().trim_start_matches('/').parse().ok()
}

fn respond(status: StatusCode, mime: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("Content-Type", mime)
        // Shown as the type said, never as a page: an SVG attachment's
        // scripts do not run, as an <img> they never would anyway.
        .header("X-Content-Type-Options", "nosniff")
        .header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        )
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// The type of an attachment, from its first bytes.
pub fn sniff(bytes: &[u8]) -> &'static str {
    let text_start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "image/gif"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if text_start.trim_start().starts_with("<svg") || text_start.contains("<svg") {
        "image/svg+xml"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        let check = |bytes: &[u8], expected: &str| assert_eq!(sniff(bytes), expected);
        check(b"\x89PNG\r\n\x1a\n....", "image/png");
        check(&[0xff, 0xd8, 0xff, 0xe0], "image/jpeg");
        check(b"GIF89a..", "image/gif");
        check(b"RIFF\0\0\0\0WEBPVP8 ", "image/webp");
        check(b"%PDF-1.7", "application/pdf");
        check(b"<?xml version=\"1.0\"?>\n<svg xmlns=...>", "image/svg+xml");
        check(b"<html><script>", "application/octet-stream");
        check(b"", "application/octet-stream");
    }

    #[test]
    fn only_attachment_urls_name_a_hash() {
        let hash = ContentHash::of(b"pic");
        let check = |uri: String, expected: Option<ContentHash>| {
            let uri: tauri::http::Uri = uri.parse().unwrap();
            assert_eq!(attachment_hash(&uri), expected);
        };
        check(format!("loam://attachment/{hash}"), Some(hash));
        check(format!("loam://doc/{hash}"), None);
        check("loam://attachment/nothex".into(), None);
    }
}
