//! Standard output for every subcommand.
//!
//! Subcommands print with [`out!`] and [`outln!`] instead of `print!`/`println!` (clippy's
//! `disallowed-macros` enforces it for this crate). `println!` panics when the reader has gone
//! away (`ratebook models | head -1`); here a closed pipe ends the program quietly with exit
//! status 0, as it would for any Unix filter, and any other write error is reported on stderr
//! with exit status 1.

use std::fmt;
use std::io::{self, Write};

/// Writes formatted text to standard output, like `print!`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*))
    };
}

/// Writes formatted text and a newline to standard output, like `println!`.
macro_rules! outln {
    () => {
        $crate::out::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Writes `args` to standard output; on a closed pipe or another write error, exits.
pub fn write(args: fmt::Arguments<'_>) {
    if let Err(e) = io::stdout().lock().write_fmt(args) {
        stop(&e);
    }
}

/// Flushes standard output (text without a final newline is still buffered); on a closed pipe
/// or another write error, exits.
pub fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        stop(&e);
    }
}

/// Ends the program after a failed write: quietly and successfully when the reader closed the
/// pipe (nobody is left to read the rest), with a message and status 1 otherwise.
fn stop(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    // stderr may be gone too; there is nobody else to tell.
    let _ = writeln!(io::stderr(), "error: cannot write to standard output: {e}");
    std::process::exit(1);
}
