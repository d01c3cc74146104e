//! `persons.wanted_kind`: the kind of work a job seeker wants (意向用工形式: 全职,
//! 非全日制, 临时/季节性, 零工; `JobKind::code`), which matching scores (SPEC §4). Null
//! means no preference, as for every person registered before this column existed.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_wanted_kind"
    }
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    WantedKind,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Persons::Table)
                .add_column(ColumnDef::new(Persons::WantedKind).small_integer())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
