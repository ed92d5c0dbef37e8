//! The formatter: a policy file's AST (and its comments) to one canonical text.
//!
//! Sits beside the parser in `syntax`: [`format_source`] parses the text, recovers the comments the
//! grammar discards ([`super::comments`]) and lays the statements out again. Nothing downstream of
//! `syntax` is involved; formatting never checks a policy.
//!
//! Layout (see `docs/formatting.md`): one statement per line; blank lines between statements kept, at
//! most one; headed rules and facts with each annotation on its own line indented by 2 and the body
//! indented by 2; a rule longer than [`MAX_WIDTH`] columns (or with a comment inside) broken after
//! each top-level `∧`, continuations indented by 2, `⇒ conclusion.` on its own line; consecutive facts
//! of one relation aligned into columns; block contents indented by 2.
//!
//! Comments are re-attached by position: a comment inside a statement stays with the part it follows
//! (a premise, an annotation, a column), a comment at the end of a statement's line stays at the end
//! of its last line, and a comment on its own line keeps its own line among the statements.
//!
//! Invariants (tested on every `.accord` file in the repository and by a property test):
//! `parse(format(text)) == parse(text)` (spans aside), `format(format(text)) == format(text)`, and
//! every comment of the input appears in the output, in order.

mod inline;

use super::ast::*;
use super::comments::{self, Comment};
use super::{parse_file, FileId, Span};
use crate::diagnostic::Diagnostic;
use inline::Inline;

/// A line longer than this (in characters) is broken, where the layout knows how.
pub const MAX_WIDTH: usize = 100;
const INDENT: usize = 2;

/// How connectives and comparisons are spelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Connectives {
    /// `∧ ∨ ¬ ⇒ ≠ ≤ ≥` (canonical).
    #[default]
    Unicode,
    /// `and or not => != <= >=`.
    Ascii,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatOptions {
    pub connectives: Connectives,
}

/// Formats a policy text, keeping its comments. Fails with the parse error when the text does not
/// parse.
pub fn format_source(
    file: FileId,
    text: &str,
    options: &FormatOptions,
) -> Result<String, Diagnostic> {
    let ast = parse_file(file, text)?;
    Ok(Layout::new(text, options).file(&ast, comments::scan(text)))
}

/// Formats an AST that has no source text (no comments, no blank lines to keep).
pub fn format_ast(ast: &SourceFile, options: &FormatOptions) -> String {
    Layout::new("", options).file(ast, vec![])
}

/// Something laid out on its own line(s) inside a file or a block.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Rule(&'a RuleDecl),
    Test(&'a TestItem),
}

impl<'a> Node<'a> {
    fn span(&self) -> Span {
        match self {
            Node::Item(i) => i.span(),
            Node::Rule(r) => r.span,
            Node::Test(TestItem::Fact(f)) => f.span,
            Node::Test(TestItem::Load { span, .. }) => *span,
            Node::Test(TestItem::Expect(e)) => match e {
                Expectation::Holds { span, .. }
                | Expectation::HoldsNot { span, .. }
                | Expectation::Answers { span, .. } => *span,
            },
        }
    }

    /// The atom of a fact without a name: such facts line up in columns with their neighbours.
    fn plain_fact(&self) -> Option<&'a Atom> {
        let fact: &FactDecl = match self {
            Node::Item(Item::Fact(f)) => f,
            Node::Test(TestItem::Fact(f)) => f,
            _ => return None,
        };
        fact.name.is_none().then_some(&fact.atom)
    }
}

/// A node or a comment on its own line, with the source range it covers (a node's range includes the
/// comments at the end of its last line).
enum Entry<'a, 'c> {
    Node {
        node: Node<'a>,
        inside: Vec<&'c Comment>,
        trailing: Vec<&'c Comment>,
    },
    Comment(&'c Comment),
}

struct Layout<'t> {
    text: &'t str,
    inline: Inline,
    lines: Vec<String>,
}

fn width(line: &str) -> usize {
    line.chars().count()
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

/// Puts comments at the end of a line, two spaces after the code.
fn append(line: &mut String, comments: &[&Comment]) {
    for c in comments {
        if !line.trim().is_empty() {
            line.push_str("  ");
        }
        line.push_str(&c.text);
    }
}

/// Puts each comment of a slot after the line it follows: at the end of that line when it was written
/// there, on a line of its own (at `indent`) when it was written on its own line.
fn place(lines: &mut Vec<String>, comments: &[&Comment], indent: usize) {
    for c in comments {
        match lines.last_mut() {
            Some(last) if !c.own_line => append(last, &[c]),
            _ => lines.push(format!("{}{}", pad(indent), c.text)),
        }
    }
}

/// Distributes comments over slots: each goes to the last slot starting at or before it (the first
/// slot when none does).
fn slots<'c>(starts: &[usize], comments: &[&'c Comment]) -> Vec<Vec<&'c Comment>> {
    let mut out = vec![vec![]; starts.len().max(1)];
    for c in comments {
        let k = starts.iter().rposition(|s| *s <= c.start).unwrap_or(0);
        out[k].push(*c);
    }
    out
}

impl<'t> Layout<'t> {
    fn new(text: &'t str, options: &FormatOptions) -> Layout<'t> {
        Layout {
            text,
            inline: Inline {
                connectives: options.connectives,
            },
            lines: vec![],
        }
    }

    fn file(mut self, ast: &SourceFile, comments: Vec<Comment>) -> String {
        let nodes: Vec<Node> = ast.items.iter().map(Node::Item).collect();
        let comments: Vec<&Comment> = comments.iter().collect();
        self.container(&nodes, &comments, 0);
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The number of line breaks in the source between two offsets (0 without source text).
    fn breaks(&self, from: usize, to: usize) -> usize {
        self.text
            .get(from..to)
            .map_or(0, |between| between.matches('\n').count())
    }

    /// Lays out a sequence of nodes with the comments among them, at `indent`.
    fn container(&mut self, nodes: &[Node], comments: &[&Comment], indent: usize) {
        let mut entries: Vec<(usize, usize, Entry)> = nodes
            .iter()
            .map(|n| {
                let s = n.span();
                let entry = Entry::Node {
                    node: *n,
                    inside: vec![],
                    trailing: vec![],
                };
                (s.start as usize, s.end as usize, entry)
            })
            .collect();
        let mut standalone = vec![];
        for c in comments {
            let inside = nodes.iter().position(|n| {
                let s = n.span();
                (s.start as usize) <= c.start && c.start < s.end as usize
            });
            let before = nodes.iter().rposition(|n| n.span().end as usize <= c.start);
            match (inside, before) {
                (Some(i), _) => {
                    if let Entry::Node { inside, .. } = &mut entries[i].2 {
                        inside.push(*c);
                    }
                }
                (None, Some(i))
                    if !c.own_line && self.breaks(nodes[i].span().end as usize, c.start) == 0 =>
                {
                    entries[i].1 = c.end;
                    if let Entry::Node { trailing, .. } = &mut entries[i].2 {
                        trailing.push(*c);
                    }
                }
                _ => standalone.push((c.start, c.end, Entry::Comment(c))),
            }
        }
        entries.extend(standalone);
        entries.sort_by_key(|(start, _, _)| *start);

        let mut i = 0;
        while i < entries.len() {
            if i > 0 && self.breaks(entries[i - 1].1, entries[i].0) >= 2 {
                self.lines.push(String::new());
            }
            let group = self.fact_group(&entries[i..]);
            if group >= 2 {
                self.aligned_facts(&entries[i..i + group], indent);
                i += group;
                continue;
            }
            match &entries[i].2 {
                Entry::Comment(c) => self.lines.push(format!("{}{}", pad(indent), c.text)),
                Entry::Node {
                    node,
                    inside,
                    trailing,
                } => {
                    let mut lines = self.node(*node, inside, indent);
                    if let Some(last) = lines.last_mut() {
                        append(last, trailing);
                    }
                    self.lines.extend(lines);
                }
            }
            i += 1;
        }
    }

    /// How many entries from the first one are facts of one relation and arity, with no blank line or
    /// comment line between them.
    fn fact_group(&self, entries: &[(usize, usize, Entry)]) -> usize {
        let key = |e: &Entry| match e {
            Entry::Node { node, .. } => node
                .plain_fact()
                .map(|a| (a.relation.text.clone(), a.args.len())),
            Entry::Comment(_) => None,
        };
        let Some(first) = entries.first().and_then(|e| key(&e.2)) else {
            return 0;
        };
        let mut n = 1;
        while n < entries.len()
            && key(&entries[n].2).as_ref() == Some(&first)
            && self.breaks(entries[n - 1].1, entries[n].0) < 2
        {
            n += 1;
        }
        n
    }

    /// Facts of one relation, their arguments padded after the commas so that columns line up.
    fn aligned_facts(&mut self, entries: &[(usize, usize, Entry)], indent: usize) {
        let mut rows = vec![];
        for (_, _, entry) in entries {
            if let Entry::Node {
                node,
                inside,
                trailing,
            } = entry
            {
                if let Some(atom) = node.plain_fact() {
                    let comments: Vec<&Comment> = inside.iter().chain(trailing).copied().collect();
                    rows.push((atom, self.inline.args(atom), comments));
                }
            }
        }
        let arity = rows.first().map_or(0, |r| r.1.len());
        let widths: Vec<usize> = (0..arity)
            .map(|i| rows.iter().map(|r| width(&r.1[i])).max().unwrap_or(0))
            .collect();
        for (atom, args, comments) in rows {
            let mut line = format!("{}{}(", pad(indent), atom.relation.text);
            for (i, arg) in args.iter().enumerate() {
                line.push_str(arg);
                if i + 1 < args.len() {
                    line.push(',');
                    line.push_str(&pad(widths[i] - width(arg) + 1));
                }
            }
            line.push_str(").");
            append(&mut line, &comments);
            self.lines.push(line);
        }
    }

    /// The lines of one node; `inside` holds the comments within its span.
    fn node(&mut self, node: Node, inside: &[&Comment], indent: usize) -> Vec<String> {
        let p = pad(indent);
        match node {
            Node::Item(Item::Import(i)) => {
                let mut line = format!("{p}import {}.", crate::value::quote_text(&i.path));
                append(&mut line, inside);
                vec![line]
            }
            Node::Item(Item::Relation(r)) => self.relation(r, inside, indent),
            Node::Item(Item::Fact(f)) => self.fact(f, inside, indent),
            Node::Item(Item::Rule(r)) => self.rule(r, inside, indent),
            Node::Rule(r) => self.rule(r, inside, indent),
            Node::Item(Item::Subject(s)) => {
                let open = format!("{p}subject {} {{", s.subject.text);
                let children: Vec<Node> = s.rules.iter().map(Node::Rule).collect();
                self.block(open, s.subject.span, s.span, &children, inside, indent)
            }
            Node::Item(Item::Test(t)) => {
                let open = format!("{p}test {} {{", crate::value::quote_text(&t.name));
                let children: Vec<Node> = t.items.iter().map(Node::Test).collect();
                self.block(open, t.name_span, t.span, &children, inside, indent)
            }
            Node::Item(Item::Records(r)) => {
                let mut lines = vec![format!(
                    "{p}records {} {{",
                    crate::value::quote_text(&r.name)
                )];
                append(&mut lines[0], inside);
                record_items(&r.items, indent + INDENT, &mut lines);
                lines.push(format!("{p}}}"));
                lines
            }
            Node::Test(item) => {
                let mut line = format!("{p}{}", self.inline.test_item(item));
                append(&mut line, inside);
                vec![line]
            }
        }
    }

    /// `subject c { … }` or `test "…" { … }`: the children indented, comments after `{` kept there.
    fn block(
        &mut self,
        mut open: String,
        name: Span,
        span: Span,
        children: &[Node],
        comments: &[&Comment],
        indent: usize,
    ) -> Vec<String> {
        let brace = self.open_brace(name.end as usize, span.end as usize);
        let (at_open, rest): (Vec<&Comment>, Vec<&Comment>) = comments
            .iter()
            .partition(|c| c.start < brace || (!c.own_line && self.breaks(brace, c.start) == 0));
        if children.is_empty() && rest.is_empty() {
            open.push('}');
            append(&mut open, &at_open);
            return vec![open];
        }
        append(&mut open, &at_open);
        let saved = std::mem::take(&mut self.lines);
        self.container(children, &rest, indent + INDENT);
        let inner = std::mem::replace(&mut self.lines, saved);
        let mut lines = vec![open];
        lines.extend(inner);
        lines.push(format!("{}}}", pad(indent)));
        lines
    }

    /// The offset of a block's `{`, searching from the end of its name (skipping comments).
    fn open_brace(&self, from: usize, to: usize) -> usize {
        let Some(text) = self.text.get(from..to) else {
            return from;
        };
        let mut rest = text;
        let mut at = from;
        loop {
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
            if let Some(after) = trimmed.strip_prefix("//") {
                let skip = after.find('\n').map_or(after.len(), |n| n);
                at += 2 + skip;
                rest = &after[skip..];
                continue;
            }
            return at;
        }
    }

    fn relation(&self, decl: &RelationDecl, inside: &[&Comment], indent: usize) -> Vec<String> {
        let line = format!("{}{}", pad(indent), self.inline.relation(decl));
        if inside.is_empty() && width(&line) <= MAX_WIDTH {
            return vec![line];
        }
        let mut lines = vec![format!(
            "{}{}(",
            pad(indent),
            self.inline.relation_head(decl)
        )];
        let mut starts = vec![decl.span.start as usize];
        starts.extend(decl.columns.iter().map(|c| c.span.start as usize));
        let slots = slots(&starts, inside);
        place(&mut lines, &slots[0], indent + INDENT);
        let columns = self.inline.columns(decl);
        for (i, column) in columns.iter().enumerate() {
            let comma = if column == ".." { "" } else { "," };
            lines.push(format!("{}{column}{comma}", pad(indent + INDENT)));
            if let Some(slot) = slots.get(i + 1) {
                place(&mut lines, slot, indent + INDENT);
            }
        }
        lines.push(format!("{}).", pad(indent)));
        lines
    }

    /// `rule NAME` or `fact NAME`, then each annotation on its own line; `:` ends the last line.
    fn header(
        &self,
        keyword: &str,
        name: &Name,
        annotations: &[Annotation],
        comments: &[&Comment],
        indent: usize,
    ) -> Vec<String> {
        let mut heads = vec![format!("{}{keyword} {}", pad(indent), name.text)];
        let mut starts = vec![name.span.start as usize];
        for a in annotations {
            heads.push(format!(
                "{}{}",
                pad(indent + INDENT),
                self.inline.annotation(a)
            ));
            starts.push(a.span().start as usize);
        }
        if let Some(last) = heads.last_mut() {
            last.push(':');
        }
        let slots = slots(&starts, comments);
        let mut lines = vec![];
        for (line, slot) in heads.into_iter().zip(slots) {
            lines.push(line);
            place(&mut lines, &slot, indent + INDENT);
        }
        lines
    }

    fn fact(&self, fact: &FactDecl, inside: &[&Comment], indent: usize) -> Vec<String> {
        let atom = format!("{}.", self.inline.atom(&fact.atom));
        let Some(name) = &fact.name else {
            let mut line = format!("{}{atom}", pad(indent));
            append(&mut line, inside);
            return vec![line];
        };
        let start = fact.atom.span.start as usize;
        let (head, body): (Vec<&Comment>, Vec<&Comment>) =
            inside.iter().partition(|c| c.start < start);
        let mut lines = self.header("fact", name, &fact.annotations, &head, indent);
        let mut line = format!("{}{atom}", pad(indent + INDENT));
        append(&mut line, &body);
        lines.push(line);
        lines
    }

    fn rule(&self, rule: &RuleDecl, inside: &[&Comment], indent: usize) -> Vec<String> {
        let body_start = rule.body.span().start as usize;
        let head_start = rule.head.span().start as usize;
        let (header, rest): (Vec<&Comment>, Vec<&Comment>) =
            inside.iter().partition(|c| c.start < body_start);
        let (in_body, in_head): (Vec<&Comment>, Vec<&Comment>) =
            rest.into_iter().partition(|c| c.start < head_start);
        let (mut lines, body_indent) = match &rule.name {
            Some(name) => {
                let lines = self.header("rule", name, &rule.annotations, &header, indent);
                (lines, indent + INDENT)
            }
            None => (vec![], indent),
        };
        let (premises, word) = self.inline.premises(&rule.body);
        let texts: Vec<String> = premises
            .iter()
            .map(|p| self.inline.premise(&rule.body, p))
            .collect();
        let head = format!(
            "{} {}.",
            self.inline.implies(),
            self.inline.conclusion(&rule.head)
        );
        let one_line = format!(
            "{}{} {head}",
            pad(body_indent),
            texts.join(&format!(" {word} "))
        );
        // A comment inside the conclusion goes to the end of the rule's last line, where it stays
        // on the next run: it does not break the rule.
        if in_body.is_empty() && width(&one_line) <= MAX_WIDTH {
            let mut one_line = one_line;
            append(&mut one_line, &in_head);
            lines.push(one_line);
            return lines;
        }
        let starts: Vec<usize> = premises.iter().map(|p| p.span().start as usize).collect();
        let slots = slots(&starts, &in_body);
        let continuation = body_indent + INDENT;
        for (k, (text, slot)) in texts.iter().zip(slots).enumerate() {
            let indent = if k == 0 { body_indent } else { continuation };
            let sep = if k + 1 < texts.len() {
                format!(" {word}")
            } else {
                String::new()
            };
            lines.push(format!("{}{text}{sep}", pad(indent)));
            place(&mut lines, &slot, continuation);
        }
        let mut last = format!("{}{head}", pad(body_indent));
        append(&mut last, &in_head);
        lines.push(last);
        lines
    }
}

#[cfg(test)]
mod tests;

/// The rows and `each` blocks of a `records` mapping, one per line (comments inside a mapping go to
/// the end of its first line).
fn record_items(items: &[RecordItem], indent: usize, lines: &mut Vec<String>) {
    let p = pad(indent);
    let path = |keys: &[String]| -> String {
        let keys: Vec<String> = keys
            .iter()
            .map(|k| {
                let plain = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if plain {
                    k.clone()
                } else {
                    crate::value::quote_text(k)
                }
            })
            .collect();
        keys.join(".")
    };
    for item in items {
        match item {
            RecordItem::Row(row) => {
                let fields: Vec<String> = row
                    .fields
                    .iter()
                    .map(|f| format!("{}{}", "^".repeat(f.up as usize), path(&f.path)))
                    .collect();
                lines.push(format!("{p}{}({}).", row.relation.text, fields.join(", ")));
            }
            RecordItem::Each(each) => {
                lines.push(format!("{p}each {} {{", path(&each.path)));
                record_items(&each.items, indent + INDENT, lines);
                lines.push(format!("{p}}}"));
            }
        }
    }
}
