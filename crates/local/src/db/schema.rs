//! A database's schema as the writer applies it at open: statements that create what
//! does not exist yet, then the columns added since a table was first made, each added
//! to a table that lacks it. SQLite has no `ADD COLUMN IF NOT EXISTS`, so a data
//! directory made by an earlier version is brought up to date here, keeping its rows.

use super::DbError;
use rusqlite::Connection;

/// A column added to a table after the table was first made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedColumn {
    /// The table.
    pub table: &'static str,
    /// The column's name.
    pub column: &'static str,
    /// Its definition after the name (`TEXT`, `INTEGER NOT NULL DEFAULT 0`, …).
    pub definition: &'static str,
}

/// The schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// `CREATE … IF NOT EXISTS` statements, with every column of the current version.
    pub create: &'static str,
    /// The columns a table made by an earlier version may lack.
    pub added_columns: &'static [AddedColumn],
}

impl Schema {
    /// A schema with nothing added since its tables were made.
    pub const fn new(create: &'static str) -> Self {
        Self {
            create,
            added_columns: &[],
        }
    }

    /// Creates what is missing, then adds each missing column.
    pub(super) fn apply(&self, connection: &Connection) -> Result<(), DbError> {
        connection.execute_batch(self.create)?;
        for added in self.added_columns {
            let exists: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
                [added.table, added.column],
                |row| row.get(0),
            )?;
            if !exists {
                connection.execute_batch(&format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    added.table, added.column, added.definition
                ))?;
            }
        }
        Ok(())
    }
}
