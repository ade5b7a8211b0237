//! Playing a finished or reopened run back: the arrows of the take on screen appear one at a time
//! in the order they happened, each selected as it comes so its narration is beside it. Paced by
//! egui's clock (mock time in the tests), and it asks for a repaint only when the next arrow is
//! due, so a paused or finished playback costs nothing.

use egui::{RichText, Ui};

use crate::gui::diagram::layout::Row;

/// Seconds per arrow the playback offers; the default is the second.
pub const PACES: [f32; 5] = [0.5, 1.0, 2.0, 3.0, 4.0];
const DEFAULT_PACE: f32 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Playback {
    /// How many of the take's arrows are drawn as they happened (the rest wait).
    pub shown: usize,
    pub playing: bool,
    /// Seconds per arrow.
    pub pace: f32,
    /// When the last arrow appeared, on egui's clock.
    since: f64,
}

/// What the playback bar asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Control {
    Play,
    Pause,
    ToStart,
    Back,
    Forward,
    ToEnd,
    /// Show this many arrows (the scrubber).
    Seek(usize),
    Pace(f32),
    Leave,
}

impl Playback {
    /// Starts playing at `now` with the first arrow shown.
    pub fn start(now: f64) -> Playback {
        Playback {
            shown: 1,
            playing: true,
            pace: DEFAULT_PACE,
            since: now,
        }
    }

    /// Moves on by the clock; returns how long until the next arrow is due, while playing. It
    /// stops by itself after the last of `total`.
    pub fn tick(&mut self, now: f64, total: usize) -> Option<f64> {
        self.shown = self.shown.min(total);
        if !self.playing {
            return None;
        }
        let pace = f64::from(self.pace);
        while self.shown < total && now - self.since >= pace {
            self.shown += 1;
            self.since += pace;
        }
        if self.shown >= total {
            self.playing = false;
            return None;
        }
        Some(pace - (now - self.since))
    }

    /// Takes in a control at `now`; false when it asks to leave.
    pub fn apply(&mut self, control: Control, now: f64, total: usize) -> bool {
        match control {
            Control::Play => {
                if self.shown >= total {
                    self.shown = 1;
                }
                self.playing = true;
                self.since = now;
            }
            Control::Pause => self.playing = false,
            Control::ToStart => self.seek(1, now),
            Control::Back => self.seek(self.shown.saturating_sub(1).max(1), now),
            Control::Forward => self.seek((self.shown + 1).min(total), now),
            Control::ToEnd => self.seek(total, now),
            Control::Seek(n) => self.seek(n.clamp(1, total.max(1)), now),
            Control::Pace(pace) => self.pace = pace,
            Control::Leave => return false,
        }
        true
    }

    /// Jumps to `shown` arrows; a step by hand pauses the playback.
    fn seek(&mut self, shown: usize, now: f64) {
        self.shown = shown;
        self.playing = false;
        self.since = now;
    }
}

/// `rows` as the playback shows them: the first `shown` as they happened, the rest waiting.
pub fn reveal(rows: &mut [Row<'_>], shown: usize) {
    for row in rows.iter_mut().skip(shown) {
        row.attempt = None;
        row.expected = false;
    }
}

/// The controls above the diagram while playing back `total` arrows.
pub fn bar(ui: &mut Ui, pb: &Playback, total: usize) -> Option<Control> {
    let mut control = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Playback").strong());
        let at_start = pb.shown <= 1;
        let at_end = pb.shown >= total;
        let mut button = |ui: &mut Ui, enabled: bool, word: &str, what: Control| {
            if ui.add_enabled(enabled, egui::Button::new(word)).clicked() {
                control = Some(what);
            }
        };
        button(ui, !at_start, "To start", Control::ToStart);
        button(ui, !at_start, "Step back", Control::Back);
        let (word, what) = if pb.playing {
            ("Pause", Control::Pause)
        } else if at_end {
            ("Play again", Control::Play)
        } else {
            ("Play", Control::Play)
        };
        button(ui, true, word, what);
        button(ui, !at_end, "Step forward", Control::Forward);
        button(ui, !at_end, "To end", Control::ToEnd);
        let mut shown = pb.shown;
        let scrubber = egui::Slider::new(&mut shown, 1..=total.max(1))
            .text(format!("of {total}"))
            .show_value(true);
        if ui
            .add_enabled(total > 1, scrubber)
            .on_hover_text("Which arrow the playback is at: drag to any")
            .changed()
        {
            control = Some(Control::Seek(shown));
        }
        egui::ComboBox::new("playback pace", "pace")
            .selected_text(format!("{} s per arrow", pb.pace))
            .show_ui(ui, |ui| {
                for pace in PACES {
                    if ui
                        .selectable_label(pb.pace == pace, format!("{pace} s per arrow"))
                        .clicked()
                    {
                        control = Some(Control::Pace(pace));
                    }
                }
            });
        if ui.button("Leave playback").clicked() {
            control = Some(Control::Leave);
        }
    });
    control
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_come_one_per_pace_and_the_playback_stops_at_the_end() {
        let mut pb = Playback::start(10.0);
        assert_eq!(pb.shown, 1);
        let due = pb.tick(10.4, 3).unwrap_or_default();
        assert!((due - 0.6).abs() < 1e-9, "{due}");
        assert_eq!(pb.shown, 1);
        pb.tick(11.0, 3);
        assert_eq!(pb.shown, 2);
        // A late frame catches up, and the end stops it.
        assert_eq!(pb.tick(15.0, 3), None);
        assert_eq!(pb.shown, 3);
        assert!(!pb.playing);
        // Play again starts over.
        pb.apply(Control::Play, 20.0, 3);
        assert_eq!(pb.shown, 1);
        assert!(pb.playing);
    }

    #[test]
    fn stepping_by_hand_pauses_and_stays_within_the_take() {
        let mut pb = Playback::start(0.0);
        pb.apply(Control::Forward, 0.1, 3);
        assert_eq!((pb.shown, pb.playing), (2, false));
        pb.apply(Control::ToEnd, 0.2, 3);
        pb.apply(Control::Forward, 0.3, 3);
        assert_eq!(pb.shown, 3);
        pb.apply(Control::Back, 0.4, 3);
        assert_eq!(pb.shown, 2);
        pb.apply(Control::ToStart, 0.5, 3);
        pb.apply(Control::Back, 0.6, 3);
        assert_eq!(pb.shown, 1);
        pb.apply(Control::Seek(9), 0.7, 3);
        assert_eq!(pb.shown, 3);
        pb.apply(Control::Pace(4.0), 0.8, 3);
        assert_eq!(pb.pace, 4.0);
        assert!(!pb.apply(Control::Leave, 0.9, 3));
        // Paused, time passing shows nothing new.
        assert_eq!(pb.tick(100.0, 3), None);
        assert_eq!(pb.shown, 3);
    }
}
