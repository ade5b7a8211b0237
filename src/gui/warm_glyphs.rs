//! Glyphs drawn ahead of need. egui rasterizes a glyph the first time text of its font and size
//! is laid out; the inspector's first appearance lays out monospace and small text at several
//! sizes nothing before it used, and that one frame took 13–29 ms instead of ~2. So in the
//! frames right after the window first shows, one text style a frame, the printable characters
//! of every text style are laid out once; the window then goes idle as before.
//!
//! egui keeps a bitmap of a glyph for each of four quarter-pixel offsets it may start at, and
//! this lays each character out at one. Laying every style out at all four made the inspector's
//! first frame 3.7 ms instead of 8.4, but the atlas that grew with it cost 4–5 MiB of resident
//! memory, over the window's budget (120 MiB after a flow).

use egui::{Color32, FontId};

/// What the UI's text is made of: printable ASCII (every parameter, header and body shown) and
/// the punctuation its own words use.
const CHARACTERS: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`\
abcdefghijklmnopqrstuvwxyz{|}~…·×–—‘’“”§≤≥›•→−↑↓éüÜ";
/// Letters the proportional font draws as one glyph (its ligatures): "first", "flow", "offline".
const LIGATURES: &str = " ff fi fl ffi ffl";

/// The fonts still to warm, listed at the first frame; empty once done.
#[derive(Default)]
pub struct WarmGlyphs {
    left: Option<Vec<FontId>>,
}

impl WarmGlyphs {
    /// Once a frame: after the first frame, lays out the next style's characters and asks for
    /// another frame while styles are left.
    pub fn step(&mut self, ctx: &egui::Context) {
        let left = self.left.get_or_insert_with(|| styles(ctx));
        if left.is_empty() {
            return;
        }
        // The first frame is start-up's: it is shown before anything is warmed.
        if ctx.cumulative_pass_nr() > 0 {
            let font = left.remove(0);
            ctx.fonts_mut(|f| {
                // Only what the font can draw: a glyph it lacks would be a box (or, under
                // kittest's strict policy, a panic).
                let drawable: String = CHARACTERS
                    .chars()
                    .filter(|c| f.has_glyphs(&font, c.encode_utf8(&mut [0; 4])))
                    .chain(LIGATURES.chars())
                    .collect();
                f.layout_no_wrap(drawable, font, Color32::WHITE);
            });
        }
        if !left.is_empty() {
            ctx.request_repaint();
        }
    }
}

/// Every font the text styles use, each once, in the style's order.
fn styles(ctx: &egui::Context) -> Vec<FontId> {
    let mut fonts: Vec<FontId> = Vec::new();
    for font in ctx.global_style().text_styles.values() {
        if !fonts.contains(font) {
            fonts.push(font.clone());
        }
    }
    fonts
}
