//! Raw SQL written once for both databases: statements use PostgreSQL's `$1`
//! placeholders and are rewritten to SQLite's equivalent `?1` when needed.

use sea_orm::{DatabaseBackend, Statement, Value};

/// Rewrites `$N` placeholders for `backend`.
pub fn placeholders(backend: DatabaseBackend, sql: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => sql.to_string(),
        _ => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// A statement with values, placeholders adapted to `backend`.
pub fn statement<I: IntoIterator<Item = Value>>(backend: DatabaseBackend, sql: &str, values: I) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_placeholders_become_numbered_question_marks_on_sqlite() {
        assert_eq!(placeholders(DatabaseBackend::Sqlite, "a = $1 AND b = $12"), "a = ?1 AND b = ?12");
        assert_eq!(placeholders(DatabaseBackend::Postgres, "a = $1"), "a = $1");
        assert_eq!(placeholders(DatabaseBackend::Sqlite, "'$' || x"), "'$' || x");
    }
}
