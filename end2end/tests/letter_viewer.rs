//! A letter's PDF shows in Chromium's own viewer on the letter's page,
//! under the document's Content-Security-Policy. The viewer draws outside
//! the page's DOM (its frame's document is empty to scripts), so what the
//! GP sees is checked in a screenshot of the frame: the viewer's dark
//! chrome round a white page with dark text on it. A blocked viewer
//! leaves the frame one flat colour; a document that is not shown as a
//! PDF (text, an error page) has no dark chrome.

use end2end::{launch_browser, nav_link, role, sign_in, Server, DEMO_PASSWORD};
use playwright_rs::{expect, AriaRole, SelectOption};
use std::time::{Duration, Instant};

/// Shares of the frame's pixels: white (page), dark (viewer chrome), and
/// how many "ink" pixels there are (dark, with white within three pixels
/// either side on the same row: strokes of text on the page).
fn looks(png_bytes: &[u8]) -> anyhow::Result<(f64, f64, usize)> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info()?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| anyhow::anyhow!("a screenshot too large to read"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf)?;
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let luma = |x: usize, y: usize| -> u32 {
        let i = (y * w + x) * channels;
        (u32::from(buf[i]) * 3 + u32::from(buf[i + 1]) * 6 + u32::from(buf[i + 2])) / 10
    };
    let (mut white, mut dark, mut ink) = (0usize, 0usize, 0usize);
    for y in 0..h {
        for x in 0..w {
            let l = luma(x, y);
            if l >= 245 {
                white += 1;
            } else if l <= 100 {
                dark += 1;
                let left = (x.saturating_sub(3)..x).any(|i| luma(i, y) >= 245);
                let right = (x + 1..(x + 4).min(w)).any(|i| luma(i, y) >= 245);
                if left && right {
                    ink += 1;
                }
            }
        }
    }
    let all = (w * h).max(1) as f64;
    Ok((white as f64 / all, dark as f64 / all, ink))
}

#[tokio::test]
async fn a_letter_s_pdf_shows_in_the_browser_s_viewer_under_its_csp() -> anyhow::Result<()> {
    let server = Server::start_demo()?;
    let (_pw, browser) = launch_browser().await?;
    let loaded = Duration::from_secs(30);
    let gp = sign_in(&server, &browser.new_context().await?, "gp", DEMO_PASSWORD).await?;
    nav_link(&gp, "Results").click(None).await?;
    let kind = gp.get_by_label("Kind", false);
    expect(kind.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    kind.select_option(SelectOption::Label("Letters only".into()), None)
        .await?;
    let letter = role(&gp, AriaRole::Table, "Unfiled")
        .get_by_role(AriaRole::Link, None)
        .first();
    expect(letter.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    letter.click(None).await?;
    let frame = gp.locator("iframe[title^='Letter: ']");
    expect(frame.clone())
        .with_timeout(loaded)
        .to_be_visible()
        .await?;
    frame.scroll_into_view_if_needed().await?;

    // The viewer takes a moment to start and draw the page.
    let started = Instant::now();
    let mut seen = (0.0, 0.0, 0);
    while started.elapsed() < Duration::from_secs(20) {
        seen = looks(&frame.screenshot(None).await?)?;
        let (white, dark, ink) = seen;
        if white > 0.15 && dark > 0.05 && ink > 100 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!(
        "the letter's frame does not show the PDF in a viewer: white {:.2}, dark {:.2}, ink {} pixels",
        seen.0,
        seen.1,
        seen.2
    )
}
