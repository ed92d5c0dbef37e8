//! Lowering of `records` mappings (`records "companies" { … }`) from pest pairs to the AST.
//!
//! A child of `parse`, so the pairs stay inside the parser; it mirrors the grammar's
//! `records_block`, `record_each`, `record_row` and `field_ref` rules.

use pest::iterators::Pair;

use super::{internal, Lower, Result, Rule};
use crate::syntax::ast::{FieldRef, RecordEach, RecordItem, RecordRow, RecordsDecl};

impl Lower {
    pub(super) fn records(&self, pair: Pair<Rule>) -> Result<RecordsDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // kw_records
        let name = inner
            .next()
            .ok_or_else(|| internal(self.file, "records name"))?;
        let name_span = self.span(&name);
        let name = self.string_or_word(name)?;
        let items = inner.map(|p| self.record_item(p)).collect::<Result<_>>()?;
        Ok(RecordsDecl {
            name,
            name_span,
            items,
            span,
        })
    }

    fn record_item(&self, pair: Pair<Rule>) -> Result<RecordItem> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::record_row => {
                let mut inner = pair.into_inner();
                let relation = self.name(
                    inner
                        .next()
                        .ok_or_else(|| internal(self.file, "record row"))?,
                );
                let fields = inner
                    .filter(|p| p.as_rule() == Rule::field_ref)
                    .map(|p| self.field_ref(p))
                    .collect::<Result<_>>()?;
                Ok(RecordItem::Row(RecordRow {
                    relation,
                    fields,
                    span,
                }))
            }
            Rule::record_each => {
                let mut inner = pair.into_inner();
                inner.next(); // kw_each
                let path = inner
                    .next()
                    .ok_or_else(|| internal(self.file, "each path"))?;
                let path_span = self.span(&path);
                let path = self.field_path(path)?;
                let items = inner.map(|p| self.record_item(p)).collect::<Result<_>>()?;
                Ok(RecordItem::Each(RecordEach {
                    path,
                    path_span,
                    items,
                    span,
                }))
            }
            _ => Err(self.unexpected(&pair)),
        }
    }

    fn field_ref(&self, pair: Pair<Rule>) -> Result<FieldRef> {
        let span = self.span(&pair);
        let mut up = 0;
        let mut path = vec![];
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::parent_mark => up += 1,
                Rule::field_path => path = self.field_path(p)?,
                _ => return Err(self.unexpected(&p)),
            }
        }
        Ok(FieldRef { up, path, span })
    }

    fn field_path(&self, pair: Pair<Rule>) -> Result<Vec<String>> {
        pair.into_inner()
            .map(|key| {
                let part = key
                    .into_inner()
                    .next()
                    .ok_or_else(|| internal(self.file, "field key"))?;
                self.string_or_word(part)
            })
            .collect()
    }

    /// The text of a name written bare (`companies`) or quoted (`"companies.json"`).
    fn string_or_word(&self, pair: Pair<Rule>) -> Result<String> {
        match pair.as_rule() {
            Rule::string => self.string(pair).map(String::from),
            _ => Ok(pair.as_str().to_string()),
        }
    }
}
