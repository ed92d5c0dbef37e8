//! Diagnostics: every error and warning accord reports, and how they are rendered.
//!
//! Each stage returns its problems as [`Diagnostic`] values (never prints); front ends render them with
//! [`render`], which attaches the source text from the [`SourceMap`] and draws them with miette.
//! A diagnostic has a stable code (`accord::unknown_relation`), a lower-case message without a final
//! period, a primary label on the exact span, optional secondary labels (in any file), and a help line.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::syntax::{SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem found in a policy, a data file or a command.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code, without the `accord::` prefix, e.g. `unknown_relation`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![],
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Warning,
            message: message.into(),
            labels: vec![],
            help: None,
        }
    }

    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Sorts diagnostics by file, position and code, so that output is deterministic.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        let s = d.primary_span().unwrap_or_default();
        (s.file, s.start, s.end, d.code, d.message.clone())
    });
}

/// How rendered diagnostics look.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// Renders one diagnostic with its source snippet, as miette draws it.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, options: RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let report = Report::build(diagnostic, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("error: {}\n", diagnostic.message);
    }
    out
}

/// Renders several diagnostics, separated as miette separates reports.
pub fn render_all(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    options: RenderOptions,
) -> String {
    diagnostics
        .iter()
        .map(|d| render(d, sources, options))
        .collect::<Vec<_>>()
        .join("")
}

/// The miette view of a [`Diagnostic`]: labels in the primary file are drawn on its snippet; labels in
/// other files become related reports, each with its own snippet.
#[derive(Debug)]
struct Report {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn build(d: &Diagnostic, sources: &SourceMap) -> Report {
        if d.labels.iter().any(|l| on_long_line(l.span, sources)) {
            return Report::without_snippets(d, sources);
        }
        let primary_file = d.labels.first().map(|l| l.span.file);
        let mut labels = vec![];
        let mut related = vec![];
        for (i, label) in d.labels.iter().enumerate() {
            let text = (!label.text.is_empty()).then(|| label.text.clone());
            let span = to_source_span(label.span, sources);
            if Some(label.span.file) == primary_file {
                labels.push(if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                });
            } else {
                let source = sources.get(label.span.file);
                related.push(Report {
                    code: String::new(),
                    severity: Severity::Warning,
                    message: label.text.clone(),
                    help: None,
                    source: Some(NamedSource::new(&source.name, source.text.clone())),
                    labels: vec![LabeledSpan::new_with_span(None, span)],
                    related: vec![],
                });
            }
        }
        let source = primary_file.map(|f| {
            let s = sources.get(f);
            NamedSource::new(&s.name, s.text.clone())
        });
        Report {
            code: format!("accord::{}", d.code),
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            source,
            labels,
            related,
        }
    }
}

impl Report {
    /// The labels as locations in the help text, without snippets.
    fn without_snippets(d: &Diagnostic, sources: &SourceMap) -> Report {
        let mut help: Vec<String> = d
            .labels
            .iter()
            .map(|l| {
                let (line, column) = sources.line_col(l.span);
                let place = format!("{}:{line}:{column}", sources.get(l.span.file).name);
                match l.text.as_str() {
                    "" => format!("at {place} (the line is too long to show)"),
                    text => format!("at {place} (the line is too long to show): {text}"),
                }
            })
            .collect();
        help.extend(d.help.clone());
        Report {
            code: format!("accord::{}", d.code),
            severity: d.severity,
            message: d.message.clone(),
            help: Some(help.join("\n")),
            source: None,
            labels: vec![],
            related: vec![],
        }
    }
}

/// Lines longer than this (in bytes) are not drawn: miette pads an underline with `{:width$}`, which
/// panics past 65 535 columns, and a byte can take up to 4 columns (a tab).
const MAX_DRAWN_LINE: usize = 16_000;

/// Whether the span starts or ends on a line too long to draw.
fn on_long_line(span: Span, sources: &SourceMap) -> bool {
    let text = sources.get(span.file).text.as_bytes();
    [span.start, span.end].iter().any(|&at| {
        let at = (at as usize).min(text.len());
        let start = text[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = text[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| at + i);
        end - start > MAX_DRAWN_LINE
    })
}

fn to_source_span(span: Span, sources: &SourceMap) -> SourceSpan {
    let len = sources.get(span.file).text.len();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic))
                as Box<dyn Iterator<Item = _>>
        })
    }
}

/// The closest of `candidates` to `name`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["certified", "program", "mra"];
        assert_eq!(did_you_mean("certifed", names), Some("certified"));
        assert_eq!(did_you_mean("shipment", names), None);
        assert_eq!(did_you_mean("MRA", names), Some("mra"));
    }

    #[test]
    fn renders_label_and_help() {
        let mut sources = SourceMap::new();
        let f = sources.add("p.accord", None, "a(X).\nb(x) => c(x).\n".into());
        let d = Diagnostic::error("unknown_relation", "unknown relation `b`")
            .label(Span::new(f, 6, 7), "not declared")
            .help("declare it");
        let out = render(&d, &sources, RenderOptions::default());
        assert!(out.contains("accord::unknown_relation"), "{out}");
        assert!(out.contains("p.accord:2:1"), "{out}");
        assert!(out.contains("help: declare it"), "{out}");
    }

    /// Found by fuzzing (`fuzz/`, target `check`): miette panicked drawing a label more than 65 535
    /// columns into a line ("Formatting argument out of range"). Regression input
    /// `tests/corpus/no_panic/long_line_label.accord`.
    #[test]
    fn labels_on_very_long_lines_are_located_not_drawn() {
        let mut sources = SourceMap::new();
        let text = format!("a(1).\n{}b(x) ⇒ c(x).\n", "a(x) ∧ ".repeat(20_000));
        let at = text.find("b(x)").unwrap_or(0);
        let f = sources.add("p.accord", None, text);
        let d = Diagnostic::error("unknown_relation", "unknown relation `b`")
            .label(Span::new(f, at, at + 1), "not declared")
            .help("declare it");
        let out = render(&d, &sources, RenderOptions::default());
        assert!(out.contains("accord::unknown_relation"), "{out}");
        assert!(out.contains("at p.accord:2:"), "{out}");
        assert!(out.contains("not declared"), "{out}");
        assert!(out.contains("declare it"), "{out}");
        // A short line is still drawn.
        let g = sources.add("q.accord", None, "b(x) ⇒ c(x).\n".into());
        let d = Diagnostic::error("unknown_relation", "unknown relation `b`")
            .label(Span::new(g, 0, 1), "not declared");
        assert!(render(&d, &sources, RenderOptions::default()).contains("q.accord:1:1"));
    }
}
