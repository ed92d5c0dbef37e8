//! placeholder
pub enum ReplLine {}
pub fn parse_file() {}
pub fn parse_query() {}
pub fn parse_repl_line() {}
