//! The keys that work everywhere in the window, and the sheet that lists them (Help ▸ Keyboard
//! shortcuts). A key is taken only when no text field has the keyboard: typing is never a command.

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use crate::gui::diagram::Pick;

/// Runs the flow.
pub const RUN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);

/// What the sheet lists: key, and what it does.
pub const SHEET: &[(&str, &str)] = &[
    (
        "Tab / Shift+Tab",
        "move the focus between arrows and controls",
    ),
    (
        "↑ / ↓",
        "select the step above or below (the inspector follows)",
    ),
    (
        "Enter or Space",
        "open the focused arrow in the inspector, or press the focused button",
    ),
    (
        "Esc",
        "close the inspector (a text field gives up the keyboard first)",
    ),
    ("Ctrl+Enter", "run the flow"),
    (
        "Space or Right",
        "Next: send the prepared step (one step at a time, or a paused run)",
    ),
    (
        "F5",
        "presenter view: the diagram and the step's narration fill the window",
    ),
    ("Esc (presenter view)", "back to the full window"),
    (
        "Ctrl + / Ctrl − / Ctrl 0",
        "zoom in, out, back to 100 % (View shows the zoom; each start is at 100 %)",
    ),
    (
        "Right-click an arrow",
        "copy that step as curl, Markdown, HAR or Mermaid",
    ),
];

/// What a key asked for this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    CloseInspector,
    Select(Pick),
    Run,
    /// F5: into the presenter view, or out of it.
    TogglePresenter,
    /// Esc in the presenter view.
    LeavePresenter,
    /// Space or the right arrow key: send the prepared step (step mode, a paused run).
    Next,
}

/// Where the keyboard is used.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// A text field had the keyboard at the end of the last frame (egui lets go of it on Esc
    /// before this runs, and that Esc is the field's).
    pub field_had_keys: bool,
    /// The arrows that can be selected, in the order the diagram draws them.
    pub arrows: &'a [Pick],
    pub selected: Option<Pick>,
    pub presenting: bool,
    /// A prepared step waits for Next.
    pub can_next: bool,
}

/// The command the keyboard gives this frame, if any: none while a text field has the
/// keyboard or a menu is open (Esc closes those first), but F5 always.
pub fn command(ui: &Ui, at: Context<'_>) -> Option<Command> {
    if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F5)) {
        return Some(Command::TogglePresenter);
    }
    let ctx = ui.ctx();
    if at.field_had_keys || ctx.text_edit_focused() || ctx.any_popup_open() {
        return None;
    }
    if ui.input_mut(|i| i.consume_shortcut(&RUN)) {
        return Some(Command::Run);
    }
    if at.can_next
        && ui.input_mut(|i| {
            i.consume_key(Modifiers::NONE, Key::Space)
                || i.consume_key(Modifiers::NONE, Key::ArrowRight)
        })
    {
        return Some(Command::Next);
    }
    if (at.presenting || at.selected.is_some())
        && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
    {
        return Some(if at.presenting {
            Command::LeavePresenter
        } else {
            Command::CloseInspector
        });
    }
    let selected = at.selected;
    let steps = at.arrows;
    let down = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown));
    let up = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowUp));
    if !(down || up) {
        return None;
    }
    let at = selected.and_then(|s| steps.iter().position(|x| *x == s));
    let next = match (at, down) {
        (None, true) => steps.first(),
        (None, false) => steps.last(),
        (Some(i), true) => steps.get(i + 1),
        (Some(i), false) => i.checked_sub(1).and_then(|i| steps.get(i)),
    };
    next.map(|s| Command::Select(*s))
}

/// The Help menu, in the toolbar.
/// `lesson` is set when the lesson is asked for.
pub fn help_menu(ui: &mut Ui, sheet_open: &mut bool, lesson: &mut bool) {
    ui.menu_button("Help", |ui| {
        if ui.button("Keyboard shortcuts").clicked() {
            *sheet_open = true;
            ui.close();
        }
        if ui
            .button("Lesson: why a code and not the token?")
            .on_hover_text(
                "The code flow and the implicit grant side by side, run against the demo provider",
            )
            .clicked()
        {
            *lesson = true;
            ui.close();
        }
    });
}

/// The sheet of shortcuts, while it is open.
pub fn sheet(ui: &Ui, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ui.ctx(), |ui| {
            egui::Grid::new("shortcuts")
                .num_columns(2)
                .spacing([24.0, 8.0])
                .show(ui, |ui| {
                    for (key, what) in SHEET {
                        ui.label(RichText::new(*key).strong().monospace());
                        ui.label(*what);
                        ui.end_row();
                    }
                });
        });
}
