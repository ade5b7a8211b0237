//! A child process that is killed when the test lets go of it, so a failed assertion leaves
//! nothing running.

use std::process::Child;

pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
