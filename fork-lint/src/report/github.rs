//! The GitHub Actions format (`--format github`): one workflow command per
//! finding, which GitHub shows as an annotation on the pull request:
//!
//! ```text
//! ::error file=src/main.rs,line=14,col=13,endLine=14,endColumn=28,title=fork-lint(stdio)::`println!` ...%0A= note: ...
//! ```
//!
//! Errors become `::error`, warnings `::warning`, notes `::notice`. The
//! message carries the chain, region and help as extra lines. Escaping
//! follows the runner (`toolkit/packages/core/src/command.ts`): in the
//! message `%`, `\r`, `\n`; in properties also `:` and `,`.

use std::io::{self, Write};

use super::{Output, Printer, display_path};
use crate::diagnostic::{Finding, Level, Location};

/// Prints workflow commands.
#[derive(Debug, Default)]
pub struct GithubPrinter;

/// Escapes a message (the part after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

fn properties(loc: &Location, title: &str, base: &std::path::Path) -> String {
    let mut props = format!("file={}", escape_property(&display_path(&loc.file, base)));
    if loc.line > 0 {
        props.push_str(&format!(",line={},col={}", loc.line, loc.column.max(1)));
        if (loc.end_line, loc.end_column) > (loc.line, loc.column) {
            props.push_str(&format!(
                ",endLine={},endColumn={}",
                loc.end_line, loc.end_column
            ));
        }
    }
    props.push_str(&format!(",title={}", escape_property(title)));
    props
}

/// The workflow command for one finding (without the newline).
pub fn finding_command(f: &Finding, base: &std::path::Path) -> String {
    let mut message = f.message.clone();
    for (i, step) in f.chain.iter().enumerate() {
        let arrow = if i == 0 { "" } else { "-> " };
        message.push_str(&format!(
            "\n= note: {arrow}{} ({}:{})",
            step.label,
            display_path(&step.location.file, base),
            step.location.line
        ));
    }
    if let Some(region) = &f.region {
        message.push_str(&format!(
            "\n= note: {} at {}:{}",
            region.label,
            display_path(&region.location.file, base),
            region.location.line
        ));
    }
    if let Some(help) = &f.help {
        message.push_str(&format!("\n= help: {help}"));
    }
    let title = format!("fork-lint({})", f.rule);
    format!(
        "::{} {}::{}",
        command(f.level),
        properties(&f.location, &title, base),
        escape_data(&message)
    )
}

impl Printer for GithubPrinter {
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()> {
        for e in output.file_errors {
            let props = properties(&e.location, "fork-lint", output.base);
            writeln!(out, "::error {props}::{}", escape_data(&e.message))?;
        }
        for f in output.findings {
            writeln!(out, "{}", finding_command(f, output.base))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{chained, direct, loc};
    use std::path::Path;

    #[test]
    fn escapes_message_and_properties() {
        assert_eq!(escape_data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_command_per_finding() {
        let base = Path::new("/w");
        let mut f = direct();
        f.location = loc("/w/dir,with:odd%name.rs", 4, 17, 30);
        let line = finding_command(&f, base);
        assert_eq!(
            line,
            "::warning file=dir%2Cwith%3Aodd%25name.rs,line=4,col=17,endLine=4,endColumn=30,title=fork-lint(alloc)::\
             `format!` allocates, a, b: 100%25 \"quoted\""
        );
        let line = finding_command(&chained(), base);
        assert!(line.starts_with(
            "::error file=src/main.rs,line=3,col=9,endLine=3,endColumn=24,title=fork-lint(stdio)::"
        ));
        assert!(line.contains("%0A= note: child calls setup_logging() (src/main.rs:3)%0A= note: -> println! (src/log.rs:2)"));
        assert!(!line.contains('\n'));
    }
}
